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
}

extension IdentityRules {
    /// The fields, each optional in what an operator sends (identity refuses any other).
    public enum CodingKeys: String, CodingKey, CaseIterable {
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
}
