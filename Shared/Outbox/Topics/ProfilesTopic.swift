import KinshipCore

extension OutboxTopic {
    /// A profile changed (identity → segmentation): created, updated, merged, split. Keyed by profile id.
    public static let profiles = OutboxTopic("profiles", partitions: 16)
}

/// The payload of a `profiles` message.
public struct ProfileChange: Codable, Sendable, Equatable {
    /// What happened to the profile; its raw value is what the payload carries.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case created = "profile.created"
        case updated = "profile.updated"
        /// Another profile (`mergedProfileId`) was merged into this one.
        case merged = "profile.merged"
        /// Parts left this profile to become the `splitProfileIds`.
        case split = "profile.split"
    }

    public var kind: Kind
    public var profileId: String
    /// The event that caused the change.
    public var messageId: String?
    public var mergedProfileId: String?
    public var changedTraits: [String]?
    /// Of a `profile.split`: the profiles made from the parts that left this one.
    public var splitProfileIds: [String]?

    public init(
        kind: Kind, profileId: String, messageId: String? = nil, mergedProfileId: String? = nil, changedTraits: [String]? = nil,
        splitProfileIds: [String]? = nil
    ) {
        self.kind = kind
        self.profileId = profileId
        self.messageId = messageId
        self.mergedProfileId = mergedProfileId
        self.changedTraits = changedTraits
        self.splitProfileIds = splitProfileIds
    }
}
