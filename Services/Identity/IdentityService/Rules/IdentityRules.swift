import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy

extension IdentityRules {
    func limit(for type: String) -> Int {
        limits[type] ?? defaultLimit
    }

    /// Lower is stronger.
    func rank(of type: String) -> Int {
        if let index = priority.firstIndex(of: type) { return index * 2 }
        // External types: just before anonymous_id, or last when anonymous_id is not listed.
        if let anonymous = priority.firstIndex(of: Identifier.anonymousID) { return anonymous * 2 - 1 }
        return priority.count * 2
    }

    /// Rules as an operator sent them: unknown keys, wrong types and impossible values are refused with
    /// `invalid_rules`, naming the field.
    static func parse(_ body: Data) throws -> IdentityRules {
        guard let object = (try? JSONValue.parse(body))?.objectValue else {
            throw KinshipError.badRequest(.invalidRules, "The rules must be a JSON object.")
        }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw KinshipError.badRequest(.invalidRules, "Unknown field '\(unknown)'; known fields: \(known.sorted().joined(separator: ", ")).")
        }
        let rules: IdentityRules
        do {
            rules = try JSONCoding.decode(IdentityRules.self, from: body)
        } catch let error as KinshipError {
            // The decoder's message names the field ("limits.email must be of type number").
            throw KinshipError.badRequest(.invalidRules, error.message)
        }
        try rules.validate()
        return rules
    }

    func validate() throws {
        func refuse(_ field: String, _ problem: String) -> KinshipError {
            KinshipError.badRequest(.invalidRules, "Field '\(field)' \(problem).")
        }
        for (type, limit) in limits where limit < 1 || limit > 100_000 {
            throw refuse("limits.\(type)", "must be between 1 and 100000")
        }
        guard (1...100_000).contains(defaultLimit) else { throw refuse("defaultLimit", "must be between 1 and 100000") }
        guard !priority.isEmpty, Set(priority).count == priority.count else { throw refuse("priority", "must list each type once") }
        if let bad = (Array(limits.keys) + priority).first(where: { $0.isEmpty || $0 != Identifier.externalType($0) }) {
            throw refuse("priority", "names '\(bad)', which is not an identifier type (lower snake case)")
        }
        guard IdentifierNormalization.callingCodes[defaultRegion.uppercased()] != nil else {
            throw refuse("defaultRegion", "must be one of \(IdentifierNormalization.callingCodes.keys.sorted().joined(separator: ", "))")
        }
        guard sizeAlarm >= 2 else { throw refuse("sizeAlarm", "must be at least 2") }
        guard blockedValues.count <= 10_000 else { throw refuse("blockedValues", "may hold at most 10000 values") }
    }
}
