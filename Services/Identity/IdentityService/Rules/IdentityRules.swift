import Foundation
import Shared

/// A workspace's identity rules: how many identifiers of a type one profile may hold, which types win
/// a conflict, which values never join profiles, and when a profile is unusually large.
public struct IdentityRules: Codable, Sendable, Equatable {
    /// At most this many identifiers of a type per profile; types not named may have `defaultLimit`.
    public var limits: [String: Int] = ["user_id": 1, "email": 5, "phone": 5, "anonymous_id": 100]
    public var defaultLimit = 10
    /// Highest first. Types not named (external ids) rank after the last named type but `anonymous_id`.
    public var priority: [String] = ["user_id", "email", "phone", "anonymous_id"]
    /// Values that never join profiles, besides the built-in placeholders.
    public var blockedValues: [String] = []
    /// Region of phone numbers written without a country code (ISO 3166 alpha-2).
    public var defaultRegion = "TH"
    /// A profile with this many identifiers, or merged this many times, is flagged; merging more into
    /// it needs `allowLargeMerges`.
    public var sizeAlarm = 150
    public var allowLargeMerges = false

    public init() {}

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
}

extension IdentityRules {
    private enum CodingKeys: String, CodingKey, CaseIterable {
        case limits, defaultLimit, priority, blockedValues, defaultRegion, sizeAlarm, allowLargeMerges
    }

    /// A key left out keeps its default, so an operator writes only what differs.
    public init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        limits = try container.decodeIfPresent([String: Int].self, forKey: .limits) ?? limits
        defaultLimit = try container.decodeIfPresent(Int.self, forKey: .defaultLimit) ?? defaultLimit
        priority = try container.decodeIfPresent([String].self, forKey: .priority) ?? priority
        blockedValues = try container.decodeIfPresent([String].self, forKey: .blockedValues) ?? blockedValues
        defaultRegion = try container.decodeIfPresent(String.self, forKey: .defaultRegion) ?? defaultRegion
        sizeAlarm = try container.decodeIfPresent(Int.self, forKey: .sizeAlarm) ?? sizeAlarm
        allowLargeMerges = try container.decodeIfPresent(Bool.self, forKey: .allowLargeMerges) ?? allowLargeMerges
    }

    /// Rules as an operator sent them: unknown keys, wrong types and impossible values are refused with
    /// `invalid_rules`, naming the field.
    static func parse(_ body: Data) throws -> IdentityRules {
        guard let object = (try? JSONValue.parse(body))?.objectValue else {
            throw KinshipError.badRequest("invalid_rules", "The rules must be a JSON object.")
        }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw KinshipError.badRequest("invalid_rules", "Unknown field '\(unknown)'; known fields: \(known.sorted().joined(separator: ", ")).")
        }
        let rules: IdentityRules
        do {
            rules = try JSONCoding.decode(IdentityRules.self, from: body)
        } catch let error as KinshipError {
            // The decoder's message names the field ("limits.email must be of type number").
            throw KinshipError.badRequest("invalid_rules", error.message)
        }
        try rules.validate()
        return rules
    }

    func validate() throws {
        func refuse(_ field: String, _ problem: String) -> KinshipError {
            KinshipError.badRequest("invalid_rules", "Field '\(field)' \(problem).")
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
