import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy

/// The `utm_*` parameters of a page address, under the names Segment uses in `context.campaign`.
///
/// `utm_campaign` becomes `name`; every other `utm_X` becomes `X` (`source`, `medium`, `term`, `content`, `id`, …),
/// as analytics.js does it, so events from our tracker and from Segment's libraries look the same.
///
/// Read on the UTF-8 bytes: this runs for every page event, and splitting `Substring`s by `Character`
/// cost more than the rest of the enrichment together.
struct CampaignParameters: Sendable, Equatable {
    /// Segment field name to value, never empty.
    var fields: [String: String]

    /// Reads a whole URL (`context.page.url`) or its query alone (`context.page.search`, with or without `?`);
    /// nil when there is no `utm_*` parameter with a value.
    init?(urlOrQuery text: String) {
        var text = text
        guard let fields = text.withUTF8({ Self.fields(in: $0) }), !fields.isEmpty else { return nil }
        self.fields = fields
    }

    /// The object to store as `context.campaign`.
    var contextObject: [String: JSONValue] {
        fields.mapValues(JSONValue.string)
    }

    private static func fields(in text: UnsafeBufferPointer<UInt8>) -> [String: String]? {
        guard let query = query(of: text) else { return nil }
        var fields: [String: String] = [:]
        // Sized for the usual parameters (source, medium, campaign, term, content) rather than grown.
        fields.reserveCapacity(5)
        var start = query.lowerBound
        while start < query.upperBound {
            let end = text[start..<query.upperBound].firstIndex(of: UInt8(ascii: "&")) ?? query.upperBound
            defer { start = end + 1 }
            guard let equals = text[start..<end].firstIndex(of: UInt8(ascii: "=")) else { continue }
            // Decoding never lengthens a key, so one of four bytes or fewer cannot be `utm_X`.
            guard equals - start > 4, let name = fieldName(ofKey: text[start..<equals]) else { continue }
            // The first value wins, as in analytics.js; an empty one carries nothing and does not count.
            guard fields[name] == nil else { continue }
            let value = decode(text[(equals + 1)..<end])
            if !value.isEmpty { fields[name] = value }
        }
        return fields
    }

    /// The Segment name of a `utm_X` key (matched in any case: hand-typed links vary, `UTM_Source`), or nil.
    private static func fieldName(ofKey key: Slice<UnsafeBufferPointer<UInt8>>) -> String? {
        // Only a key that starts with `u` or holds an escape can decode to `utm_…`.
        guard let first = key.first, first | 0x20 == UInt8(ascii: "u") || key.contains(UInt8(ascii: "%")) else { return nil }
        // The usual key, plain ASCII without escapes, is lowered and matched on its bytes.
        if key.allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "%") && $0 != UInt8(ascii: "+") }) {
            return fieldName(ofLowered: key.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 })
        }
        let decoded = decode(key)
        let lowered = decoded.utf8.allSatisfy { $0 < 0x80 }
            ? Array(decoded.utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 })
            : Array(decoded.lowercased().utf8)
        return fieldName(ofLowered: lowered)
    }

    private static func fieldName(ofLowered key: [UInt8]) -> String? {
        guard key.count > 4, key.starts(with: "utm_".utf8) else { return nil }
        return key.elementsEqual("utm_campaign".utf8) ? "name" : String(decoding: key[4...], as: UTF8.self)
    }

    /// The query part: after `?` and before `#`; the whole text when it is a bare query without a scheme.
    private static func query(of text: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        let end = text.firstIndex(of: UInt8(ascii: "#")) ?? text.endIndex
        if let mark = text[..<end].firstIndex(of: UInt8(ascii: "?")) { return (mark + 1)..<end }
        // "https://shop.example/sale" has no query; "utm_source=x" is one.
        let hasScheme = (0..<end).contains { text[$0..<end].starts(with: "://".utf8) }
        return hasScheme ? nil : 0..<end
    }

    /// Form decoding: `+` is a space, then percent escapes. A value with a malformed escape, or whose escapes
    /// do not decode to UTF-8, is kept as written (with its `+` as spaces).
    private static func decode(_ text: Slice<UnsafeBufferPointer<UInt8>>) -> String {
        guard text.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) else {
            return String(decoding: UnsafeBufferPointer(rebasing: text), as: UTF8.self)
        }
        let spaced = text.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: " ") : $0 }
        guard spaced.contains(UInt8(ascii: "%")) else { return String(decoding: spaced, as: UTF8.self) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(spaced.count)
        var index = 0
        while index < spaced.count {
            guard spaced[index] == UInt8(ascii: "%") else {
                decoded.append(spaced[index])
                index += 1
                continue
            }
            guard index + 2 < spaced.count, let high = hexValue(spaced[index + 1]), let low = hexValue(spaced[index + 2]) else {
                return String(decoding: spaced, as: UTF8.self)
            }
            decoded.append(high << 4 | low)
            index += 3
        }
        return String(validating: decoded, as: UTF8.self) ?? String(decoding: spaced, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
