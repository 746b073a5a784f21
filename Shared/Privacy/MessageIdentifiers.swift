import Foundation
import KinshipCore

/// The identifiers of a person a Segment message carries, and their one spelling: what identity joins
/// profiles on, and what ingestion compares with suppressed identifiers. One place, so both agree.
public enum MessageIdentifiers {
    public static let userID = "user_id"
    public static let anonymousID = "anonymous_id"
    public static let email = "email"
    public static let phone = "phone"

    /// Each identifier as sent (type, text), in the message's order, before normalising: `userId`,
    /// `anonymousId`, `email` and `phone` of `traits` and `context.traits`, and `context.externalIds`.
    /// An alias's `previousId` is not among them (it may be a user id or an anonymous id).
    public static func raw(in message: [String: JSONValue]) -> [(type: String, text: String)] {
        var found: [(type: String, text: String)] = []
        func add(_ type: String, _ value: JSONValue?) {
            if let text = text(value) { found.append((type, text)) }
        }
        add(userID, message["userId"])
        add(anonymousID, message["anonymousId"])
        for traits in [message["traits"], message["context"]?["traits"]] {
            add(email, traits?["email"])
            add(phone, traits?["phone"])
        }
        for external in message["context"]?["externalIds"]?.arrayValue ?? [] {
            guard let type = external["type"]?.stringValue.map(externalType), !type.isEmpty, ![userID, anonymousID].contains(type) else { continue }
            add(type, external["id"])
        }
        return found
    }

    /// External id types as lower snake case (`Shopify Customer` → `shopify_customer`).
    public static func externalType(_ raw: String) -> String {
        let lowered = raw.trimmingCharacters(in: .whitespaces).lowercased()
        return String(lowered.map { $0.isLetter || $0.isNumber ? $0 : "_" }.prefix(64))
    }

    /// An identifier's text: a string, or a whole number sent as a JSON number.
    public static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: text
        case .number(let number)? where number.rounded() == number && abs(number) < 1e15: String(Int64(number))
        default: nil
        }
    }

    /// The one spelling of a value of a type (trimmed; e-mails lower-cased; phones in E.164, national
    /// numbers read in `defaultRegion`); nil when it cannot be one. Placeholder values are identity's
    /// to refuse (its rules), not this.
    public static func canonical(type: String, _ raw: String, defaultRegion: String) -> String? {
        let trimmed = trimmed(raw)
        switch type {
        case email:
            let email = trimmed.lowercased()
            return email.contains("@") ? email : nil
        case phone:
            return e164(trimmed, defaultRegion: defaultRegion)
        default:
            return trimmed
        }
    }

    /// `raw` without leading and trailing white space; the value itself in the usual case of none
    /// (Foundation's trimming bridges every value through NSString, a hot spot of resolution).
    public static func trimmed(_ raw: String) -> String {
        guard let first = raw.first, let last = raw.last, first.isWhitespace || last.isWhitespace else { return raw }
        guard let start = raw.firstIndex(where: { !$0.isWhitespace }), let end = raw.lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(raw[start...end])
    }

    /// Country calling codes of the regions a workspace may name as its default.
    public static let callingCodes: [String: String] = [
        "TH": "66", "US": "1", "CA": "1", "GB": "44", "SG": "65", "MY": "60", "VN": "84", "ID": "62", "PH": "63",
        "JP": "81", "KR": "82", "CN": "86", "HK": "852", "TW": "886", "IN": "91", "AU": "61", "NZ": "64",
        "DE": "49", "FR": "33", "NL": "31", "ES": "34", "IT": "39",
    ]

    /// `+66812345678` from `+66 81 234 5678`, `0066812345678` or, with region TH, `081-234-5678`; nil
    /// when it cannot be a phone number (fewer than 7 or more than 15 digits, letters).
    public static func e164(_ raw: String, defaultRegion: String) -> String? {
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
        guard international.allSatisfy({ $0.isASCII && $0.isNumber }), (7...15).contains(international.count), !international.hasPrefix("0") else { return nil }
        return "+" + international
    }
}
