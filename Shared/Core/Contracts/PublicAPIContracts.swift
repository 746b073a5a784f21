import Foundation

/// A person as the public API shows them (`GET /v1/profiles/{id}`, the 360 view): identity's profile
/// (identifiers, traits with their sources, merges and splits), segmentation's conclusions (computed
/// traits, consent and its history, segments with entry times), and the latest events. Personal values
/// are masked unless the caller's role sees clear PII (admin).
public struct PublicProfile: Codable, Sendable, Equatable {
    public let profile: ProfileView
    public let computed: [String: JSONValue]
    public let consent: [String: Bool]
    public let consentHistory: [ProfileSegmentsView.Consent]
    /// Current and past memberships, newest entry first.
    public let segments: [ProfileSegmentsView.Membership]
    public let lastEvents: [PublicEvent]

    public init(
        profile: ProfileView, computed: [String: JSONValue], consent: [String: Bool], consentHistory: [ProfileSegmentsView.Consent],
        segments: [ProfileSegmentsView.Membership], lastEvents: [PublicEvent]
    ) {
        self.profile = profile
        self.computed = computed
        self.consent = consent
        self.consentHistory = consentHistory
        self.segments = segments
        self.lastEvents = lastEvents
    }
}

/// One stored event of a profile, as the public API shows it.
public struct PublicEvent: Codable, Sendable, Equatable {
    public let messageId: String
    public let type: String
    public let event: String?
    /// When it happened (the message's timestamp as stored).
    public let timestamp: Date
    public let receivedAt: Date
    public let properties: JSONValue
    public let context: JSONValue

    public init(messageId: String, type: String, event: String?, timestamp: Date, receivedAt: Date, properties: JSONValue, context: JSONValue) {
        self.messageId = messageId
        self.type = type
        self.event = event
        self.timestamp = timestamp
        self.receivedAt = receivedAt
        self.properties = properties
        self.context = context
    }
}

/// A page of a list: its items and the cursor of the next page (nil on the last).
public struct Page<Item: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public let items: [Item]
    /// Pass as `cursor` to get the next page.
    public let nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// A current member of a segment (`GET /v1/segments/{id}/members`).
public struct SegmentMember: Codable, Sendable, Equatable {
    public let profileId: String
    public let enteredAt: Date
    /// The definition version that decided the entry.
    public let segmentVersion: Int
    /// The member's consent in force refuses marketing: a member still, but left out of every file of
    /// members (`format=csv`, `format=hashed`), which are for acting on them.
    public let marketingRefused: Bool

    public init(profileId: String, enteredAt: Date, segmentVersion: Int, marketingRefused: Bool) {
        self.profileId = profileId
        self.enteredAt = enteredAt
        self.segmentVersion = segmentVersion
        self.marketingRefused = marketingRefused
    }
}

/// An API key as the public API shows it (`/v1/keys`, admins only): never its secret, except once, at creation.
public struct PublicAPIKey: Codable, Sendable, Equatable {
    public let id: String
    public let name: String
    public let role: String
    public let createdAt: Date
    public let revokedAt: Date?
    /// Only in the answer to its creation: the key itself, shown this once.
    public let secret: String?

    public init(id: String, name: String, role: String, createdAt: Date, revokedAt: Date?, secret: String?) {
        self.id = id
        self.name = name
        self.role = role
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.secret = secret
    }
}

/// `POST /v1/keys`: a new API key's name and role.
public struct APIKeyDraft: Codable, Sendable, Equatable {
    public let name: String
    public let role: String

    public init(name: String, role: String) {
        self.name = name
        self.role = role
    }
}

/// One day of a segment's history (`GET /v1/segments/{id}/history`): entries and exits that day, and its
/// size at the day's end.
public struct SegmentDay: Codable, Sendable, Equatable {
    /// The day, `YYYY-MM-DD` (UTC).
    public let day: String
    public let entered: Int
    public let exited: Int
    public let size: Int

    public init(day: String, entered: Int, exited: Int, size: Int) {
        self.day = day
        self.entered = entered
        self.exited = exited
        self.size = size
    }
}

/// A profile found by `GET /v1/profiles/search?q=`, and how.
public struct ProfileMatch: Codable, Sendable, Equatable {
    public let profileId: String
    /// The identifier type the text matched as (`email`, `phone`, `user_id`, `anonymous_id`).
    public let matchedBy: String

    public init(profileId: String, matchedBy: String) {
        self.profileId = profileId
        self.matchedBy = matchedBy
    }
}
