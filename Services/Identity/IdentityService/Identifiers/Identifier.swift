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

    static let userID = MessageIdentifiers.userID
    static let anonymousID = MessageIdentifiers.anonymousID
    static let email = MessageIdentifiers.email
    static let phone = MessageIdentifiers.phone

    /// The identifiers an event carries (`MessageIdentifiers.raw`), normalised, blocked values dropped,
    /// each once. `previousId` of an alias is returned apart: it may be a user id or an anonymous id.
    static func of(_ message: [String: JSONValue], rules: IdentityRules) -> (identifiers: [Identifier], previousID: String?) {
        var found: [Identifier] = []
        for (type, text) in MessageIdentifiers.raw(in: message) {
            guard let identifier = IdentifierNormalization.normalise(type: type, text, rules: rules), !found.contains(identifier) else { continue }
            found.append(identifier)
        }
        let previous = message["type"]?.stringValue == "alias" ? MessageIdentifiers.text(message["previousId"]) : nil
        return (found, previous.flatMap { IdentifierNormalization.isBlocked($0, rules: rules) ? nil : $0 })
    }

    /// External id types as lower snake case (`Shopify Customer` → `shopify_customer`).
    static func externalType(_ raw: String) -> String { MessageIdentifiers.externalType(raw) }
}
