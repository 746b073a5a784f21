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
            // Decoding never lengthens a key, so one of four bytes or fewer cannot be `utm_X`.
            guard parts.count == 2, parts[0].utf8.count > 4 else { continue }
            let key = Self.decode(parts[0]).lowercased()
            guard key.hasPrefix("utm_"), key.count > 4 else { continue }
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
    /// (On the UTF-8 bytes: `?`, `#`, `:` and `/` are ASCII, and this runs for every page event.)
    private static func query(of text: String) -> Substring? {
        let bytes = text.utf8
        let end = bytes.firstIndex(of: UInt8(ascii: "#")) ?? bytes.endIndex
        if let mark = bytes[..<end].firstIndex(of: UInt8(ascii: "?")) {
            return text[bytes.index(after: mark)..<end]
        }
        // "https://shop.example/sale" has no query; "utm_source=x" is one.
        let hasScheme = bytes[..<end].indices.contains { bytes[$0..<end].starts(with: "://".utf8) }
        return hasScheme ? nil : text[..<end]
    }

    /// Form decoding: `+` is a space, then percent escapes; malformed escapes are kept as written.
    private static func decode(_ text: Substring) -> String {
        // Most parameters hold neither; Foundation's passes cost more than the rest of the parse.
        let spaced = text.utf8.contains(UInt8(ascii: "+")) ? text.replacingOccurrences(of: "+", with: " ") : String(text)
        guard spaced.utf8.contains(UInt8(ascii: "%")) else { return spaced }
        return spaced.removingPercentEncoding ?? spaced
    }
}
