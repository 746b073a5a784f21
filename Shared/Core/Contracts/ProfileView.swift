import Foundation

/// One profile as identity's internal API shows it (`GET /internal/v1/profiles/{id}`): its identifiers,
/// traits with when and from which source, and the merges and splits that shaped it. Identity writes
/// it; the CLI, tests and (later) reporting read it as this type.
public struct ProfileView: Codable, Sendable, Equatable {
    public struct Identifier: Codable, Sendable, Equatable {
        public let type: String
        /// Masked unless the caller asked for PII in clear.
        public let value: String
        public let firstSeenAt: Date
        public let lastSeenAt: Date

        public init(type: String, value: String, firstSeenAt: Date, lastSeenAt: Date) {
            self.type = type
            self.value = value
            self.firstSeenAt = firstSeenAt
            self.lastSeenAt = lastSeenAt
        }
    }

    /// A trait's value, when it became true (the event's timestamp, as sent) and which source said so.
    public struct Trait: Codable, Sendable, Equatable {
        public let value: JSONValue
        public let at: String
        /// The source's id.
        public let source: String
        /// The source's name, for people; nil when the workspace has no source with that id.
        public let sourceName: String?

        public init(value: JSONValue, at: String, source: String, sourceName: String?) {
            self.value = value
            self.at = at
            self.source = source
            self.sourceName = sourceName
        }
    }

    public struct Merge: Codable, Sendable, Equatable {
        public let fromProfileId: String
        public let messageId: String
        public let ruleVersion: Int
        public let mergedAt: Date

        public init(fromProfileId: String, messageId: String, ruleVersion: Int, mergedAt: Date) {
            self.fromProfileId = fromProfileId
            self.messageId = messageId
            self.ruleVersion = ruleVersion
            self.mergedAt = mergedAt
        }
    }

    public struct Split: Codable, Sendable, Equatable {
        public let profileId: String
        public let newProfileIds: [String]
        public let reason: String
        public let requestedBy: String
        public let splitAt: Date

        public init(profileId: String, newProfileIds: [String], reason: String, requestedBy: String, splitAt: Date) {
            self.profileId = profileId
            self.newProfileIds = newProfileIds
            self.reason = reason
            self.requestedBy = requestedBy
            self.splitAt = splitAt
        }
    }

    public let profileId: String
    /// Set when the id asked for was merged into this profile.
    public let requestedProfileId: String?
    public let createdAt: Date
    public let flaggedLarge: Bool
    public let identifiers: [Identifier]
    public let traits: [String: Trait]
    public let merges: [Merge]
    /// Unmerges that took parts out of this profile, or made it from a part of another.
    public let splits: [Split]

    public init(
        profileId: String, requestedProfileId: String?, createdAt: Date, flaggedLarge: Bool, identifiers: [Identifier],
        traits: [String: Trait], merges: [Merge], splits: [Split]
    ) {
        self.profileId = profileId
        self.requestedProfileId = requestedProfileId
        self.createdAt = createdAt
        self.flaggedLarge = flaggedLarge
        self.identifiers = identifiers
        self.traits = traits
        self.merges = merges
        self.splits = splits
    }
}
