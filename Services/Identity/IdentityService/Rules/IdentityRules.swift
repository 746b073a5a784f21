import Foundation

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
