import Foundation

/// What a segment is made from (`POST /internal/v1/segments` creates one; `PUT …/{id}` makes a new
/// version). Segmentation decodes it; the CLI and reporting write it.
public struct SegmentDraft: Codable, Sendable, Equatable {
    public var name: String
    public var description: String?
    /// The condition tree (docs/segments.md).
    public var definition: JSONValue
    /// A consent category members must not have refused (`marketing`); nil for none.
    public var requiredConsent: String?

    public init(name: String, description: String? = nil, definition: JSONValue, requiredConsent: String? = nil) {
        self.name = name
        self.description = description
        self.definition = definition
        self.requiredConsent = requiredConsent
    }
}

/// A segment as segmentation's internal API shows it.
public struct SegmentView: Codable, Sendable, Equatable {
    public let id: String
    public let name: String
    public let description: String
    public let definition: JSONValue
    public let requiredConsent: String?
    public let version: Int
    /// Its members now.
    public let size: Int
    public let createdAt: Date
    public let updatedAt: Date

    public init(
        id: String, name: String, description: String, definition: JSONValue, requiredConsent: String?, version: Int, size: Int,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.definition = definition
        self.requiredConsent = requiredConsent
        self.version = version
        self.size = size
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// `POST /internal/v1/segments/preview`: a definition tried without being saved.
public struct SegmentPreviewRequest: Codable, Sendable, Equatable {
    public var definition: JSONValue
    public var requiredConsent: String?
    /// How many member ids to return (at most 100; 10 when left out).
    public var sampleSize: Int?

    public init(definition: JSONValue, requiredConsent: String? = nil, sampleSize: Int? = nil) {
        self.definition = definition
        self.requiredConsent = requiredConsent
        self.sampleSize = sampleSize
    }
}

public struct SegmentPreview: Codable, Sendable, Equatable {
    /// How many profiles the definition holds now.
    public let size: Int
    /// Some of their profile ids.
    public let sample: [String]
    public let evaluatedAt: Date

    public init(size: Int, sample: [String], evaluatedAt: Date) {
        self.size = size
        self.sample = sample
        self.evaluatedAt = evaluatedAt
    }
}

/// A profile as segmentation sees it (`GET /internal/v1/profiles/{id}/segments`): its computed traits,
/// its consent in force and the history of its segment memberships, newest first.
public struct ProfileSegmentsView: Codable, Sendable, Equatable {
    public struct Membership: Codable, Sendable, Equatable {
        public let segmentId: String
        public let segmentName: String
        public let segmentVersion: Int
        public let enteredAt: Date
        /// Nil while a member.
        public let exitedAt: Date?

        public init(segmentId: String, segmentName: String, segmentVersion: Int, enteredAt: Date, exitedAt: Date?) {
            self.segmentId = segmentId
            self.segmentName = segmentName
            self.segmentVersion = segmentVersion
            self.enteredAt = enteredAt
            self.exitedAt = exitedAt
        }
    }

    public struct Consent: Codable, Sendable, Equatable {
        public let category: String
        public let granted: Bool
        /// `event` or `context` (docs/segmentation.md).
        public let origin: String
        public let messageId: String
        public let statedAt: Date

        public init(category: String, granted: Bool, origin: String, messageId: String, statedAt: Date) {
            self.category = category
            self.granted = granted
            self.origin = origin
            self.messageId = messageId
            self.statedAt = statedAt
        }
    }

    /// The profile asked for, or the one it was merged into.
    public let profileId: String
    public let computed: [String: JSONValue]
    /// The choice in force per category.
    public let consent: [String: Bool]
    /// Every consent choice stated, newest first.
    public let consentHistory: [Consent]
    public let memberships: [Membership]
    public let evaluatedAt: Date?

    public init(
        profileId: String, computed: [String: JSONValue], consent: [String: Bool], consentHistory: [Consent], memberships: [Membership],
        evaluatedAt: Date?
    ) {
        self.profileId = profileId
        self.computed = computed
        self.consent = consent
        self.consentHistory = consentHistory
        self.memberships = memberships
        self.evaluatedAt = evaluatedAt
    }
}
