import Foundation
import Shared

/// The `utm_*` parameters of a page address, under the names Segment uses in `context.campaign`.
///
/// `utm_campaign` becomes `name`; every other `utm_X` becomes `X` (`source`, `medium`, `term`, `content`, `id`, …),
/// as analytics.js does it, so events from our tracker and from Segment's libraries look the same.
struct CampaignParameters: Sendable, Equatable {
    /// Segment field name to value, never empty.
    var fields: [String: String]

    /// Reads a whole URL (`context.page.url`) or its query alone (`context.page.search`, with or without `?`);
    /// nil when there is no `utm_*` parameter with a value.
    init?(urlOrQuery text: String) {
        guard let query = Self.query(of: text) else { return nil }
        var fields: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            // Hand-typed campaign links vary in case (`UTM_Source`); the parameter means the same.
            let key = Self.decode(parts[0]).lowercased()
            guard key.hasPrefix("utm_"), key.count > 4, parts.count == 2 else { continue }
            let value = Self.decode(parts[1])
            let name = key == "utm_campaign" ? "name" : String(key.dropFirst(4))
            // The first value wins, as in analytics.js; an empty one carries nothing and does not count.
            if fields[name] == nil, !value.isEmpty { fields[name] = value }
        }
        guard !fields.isEmpty else { return nil }
        self.fields = fields
    }

    /// The object to store as `context.campaign`.
    var contextObject: [String: JSONValue] {
        fields.mapValues(JSONValue.string)
    }

    /// The query part: after `?` and before `#`; the whole text when it is a bare query without a scheme.
    private static func query(of text: String) -> Substring? {
        let withoutFragment = text.prefix(while: { $0 != "#" })
        if let mark = withoutFragment.firstIndex(of: "?") {
            return withoutFragment[withoutFragment.index(after: mark)...]
        }
        // "https://shop.example/sale" has no query; "utm_source=x" is one.
        return withoutFragment.contains("://") ? nil : withoutFragment
    }

    /// Form decoding: `+` is a space, then percent escapes; malformed escapes are kept as written.
    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
