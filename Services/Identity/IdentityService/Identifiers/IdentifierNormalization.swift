import KinshipCore
import Foundation

/// Normalising identifiers so that one person's spellings meet (trim; lowercase e-mails; phones in
/// E.164) and refusing the placeholder values that would join strangers into one "mega person".
enum IdentifierNormalization {
    /// Values that never identify anyone, compared ignoring case.
    static let blockedValues: Set<String> = ["", "null", "undefined", "anonymous", "guest", "0", "-1", "[object object]", "nan", "none", "n/a"]

    static func normalise(type: String, _ raw: String, rules: IdentityRules) -> Identifier? {
        guard !isBlocked(raw, rules: rules), let value = canonical(type: type, raw, defaultRegion: rules.defaultRegion),
              !isBlocked(value, rules: rules)
        else { return nil }
        return Identifier(type: type, value: value)
    }

    /// The one spelling of a value of a type (blocked values not checked); nil when it cannot be one.
    static func canonical(type: String, _ raw: String, defaultRegion: String) -> String? {
        let trimmed = trimmed(raw)
        switch type {
        case Identifier.email:
            let email = trimmed.lowercased()
            return email.contains("@") ? email : nil
        case Identifier.phone:
            return e164(trimmed, defaultRegion: defaultRegion)
        default:
            return trimmed
        }
    }

    static func isBlocked(_ value: String, rules: IdentityRules) -> Bool {
        let lowered = trimmed(value).lowercased()
        if blockedValues.contains(lowered) || rules.blockedValues.contains(where: { $0.lowercased() == lowered }) { return true }
        // ^[0-]*$: zeros and dashes only ("000-000", "--").
        return lowered.allSatisfy { $0 == "0" || $0 == "-" }
    }

    /// `raw` without leading and trailing white space; the value itself in the usual case of none
    /// (Foundation's trimming bridges every value through NSString, a hot spot of resolution).
    static func trimmed(_ raw: String) -> String {
        guard let first = raw.first, let last = raw.last, first.isWhitespace || last.isWhitespace else { return raw }
        guard let start = raw.firstIndex(where: { !$0.isWhitespace }), let end = raw.lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(raw[start...end])
    }

    /// Country calling codes of the regions a workspace may name as its default.
    static let callingCodes: [String: String] = [
        "TH": "66", "US": "1", "CA": "1", "GB": "44", "SG": "65", "MY": "60", "VN": "84", "ID": "62", "PH": "63",
        "JP": "81", "KR": "82", "CN": "86", "HK": "852", "TW": "886", "IN": "91", "AU": "61", "NZ": "64",
        "DE": "49", "FR": "33", "NL": "31", "ES": "34", "IT": "39",
    ]

    /// `+66812345678` from `+66 81 234 5678`, `0066812345678` or, with region TH, `081-234-5678`; nil
    /// when it cannot be a phone number (fewer than 7 or more than 15 digits, letters).
    static func e164(_ raw: String, defaultRegion: String) -> String? {
        var text = raw
        for separator in [" ", "-", ".", "(", ")", "\u{00A0}"] { text = text.replacingOccurrences(of: separator, with: "") }
        var international: String
        if text.hasPrefix("+") {
            international = String(text.dropFirst())
        } else if text.hasPrefix("00") {
            international = String(text.dropFirst(2))
        } else if text.hasPrefix("0"), let code = callingCodes[defaultRegion.uppercased()] {
            international = code + text.dropFirst()
        } else if let code = callingCodes[defaultRegion.uppercased()], code == "1", text.count == 10 {
            international = code + text
        } else {
            international = text
        }
        guard international.allSatisfy(\.isASCIIDigit), (7...15).contains(international.count), !international.hasPrefix("0") else { return nil }
        return "+" + international
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
