import Foundation
import KinshipCore
import KinshipPrivacy

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
        MessageIdentifiers.canonical(type: type, raw, defaultRegion: defaultRegion)
    }

    static func isBlocked(_ value: String, rules: IdentityRules) -> Bool {
        let lowered = trimmed(value).lowercased()
        if blockedValues.contains(lowered) || rules.blockedValues.contains(where: { $0.lowercased() == lowered }) { return true }
        // ^[0-]*$: zeros and dashes only ("000-000", "--").
        return lowered.allSatisfy { $0 == "0" || $0 == "-" }
    }

    static func trimmed(_ raw: String) -> String { MessageIdentifiers.trimmed(raw) }

    static var callingCodes: [String: String] { MessageIdentifiers.callingCodes }
}
