import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService

/// One identifier of a person, normalised: what the graph joins on (by its blind-index token).
struct Identifier: Hashable, Sendable {
    let type: String
    let value: String

    static let userID = "user_id"
    static let anonymousID = "anonymous_id"
    static let email = "email"
    static let phone = "phone"

    /// The identifiers an event carries, normalised, blocked values dropped, each once.
    /// `previousId` of an alias is returned apart: it may be a user id or an anonymous id.
    static func of(_ message: [String: JSONValue], rules: IdentityRules) -> (identifiers: [Identifier], previousID: String?) {
        var found: [Identifier] = []
        func add(_ type: String, _ raw: JSONValue?) {
            guard let text = Self.text(raw), let identifier = IdentifierNormalization.normalise(type: type, text, rules: rules) else { return }
            if !found.contains(identifier) { found.append(identifier) }
        }
        add(userID, message["userId"])
        add(anonymousID, message["anonymousId"])
        for traits in [message["traits"], message["context"]?["traits"]] {
            add(email, traits?["email"])
            add(phone, traits?["phone"])
        }
        for external in message["context"]?["externalIds"]?.arrayValue ?? [] {
            guard let type = external["type"]?.stringValue.map(externalType), !type.isEmpty,
                  ![userID, anonymousID].contains(type)
            else { continue }
            add(type, external["id"])
        }
        let previous = message["type"]?.stringValue == "alias" ? Self.text(message["previousId"]) : nil
        return (found, previous.flatMap { IdentifierNormalization.isBlocked($0, rules: rules) ? nil : $0 })
    }

    /// External id types as lower snake case (`Shopify Customer` → `shopify_customer`).
    static func externalType(_ raw: String) -> String {
        let lowered = raw.trimmingCharacters(in: .whitespaces).lowercased()
        return String(lowered.map { $0.isLetter || $0.isNumber ? $0 : "_" }.prefix(64))
    }

    private static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: text
        case .number(let number)? where number.rounded() == number && abs(number) < 1e15: String(Int64(number))
        default: nil
        }
    }
}
