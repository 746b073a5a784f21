import Foundation

/// `POST /v1/privacy/requests`: what an admin asks about whom.
public struct PrivacyRequestDraft: Codable, Sendable, Equatable {
    public struct Identifier: Codable, Sendable, Equatable {
        public let type: String
        public let value: String

        public init(type: String, value: String) {
            self.type = type
            self.value = value
        }
    }

    /// `export`, `erase` or `suppress`.
    public let kind: String
    public let identifier: Identifier

    public init(kind: String, identifier: Identifier) {
        self.kind = kind
        self.identifier = identifier
    }
}

/// A data subject request as the API shows it: its state, each service's step, and when done, the
/// receipt of what was removed (tables and row counts, never values).
public struct PublicPrivacyRequest: Codable, Sendable, Equatable {
    public struct Step: Codable, Sendable, Equatable {
        public let service: String
        /// `pending` or `done`.
        public let status: String
        /// Table → rows removed.
        public let removed: [String: Int]
        public let completedAt: Date?

        public init(service: String, status: String, removed: [String: Int], completedAt: Date?) {
            self.service = service
            self.status = status
            self.removed = removed
            self.completedAt = completedAt
        }
    }

    public let id: String
    public let kind: String
    /// `running` (steps pending) or `done`.
    public let status: String
    public let requestedBy: String
    public let requestedAt: Date
    public let completedAt: Date?
    /// The profiles it covers: the live one and every profile merged into it.
    public let profileIds: [String]
    /// How many identifiers of the person it covers (kept as blind-index tokens only).
    public let identifiers: Int
    public let steps: [Step]

    public init(
        id: String, kind: String, status: String, requestedBy: String, requestedAt: Date, completedAt: Date?, profileIds: [String],
        identifiers: Int, steps: [Step]
    ) {
        self.id = id
        self.kind = kind
        self.status = status
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
        self.completedAt = completedAt
        self.profileIds = profileIds
        self.identifiers = identifiers
        self.steps = steps
    }
}

/// One stored event of the person, whole, as an export gives it.
public struct ExportedEvent: Codable, Sendable, Equatable {
    public let messageId: String
    public let receivedAt: Date
    /// The message as stored, its sealed values opened.
    public let message: JSONValue

    public init(messageId: String, receivedAt: Date, message: JSONValue) {
        self.messageId = messageId
        self.receivedAt = receivedAt
        self.message = message
    }
}

/// Everything held about a person (`export`): the 360 view (identifiers, traits, computed traits, consent
/// and its history, memberships current and past, merges and splits), every event whole, and a summary
/// a person can read.
public struct PersonExportDocument: Codable, Sendable, Equatable {
    public let request: PublicPrivacyRequest
    public let exportedAt: Date
    public let profile: PublicProfile
    public let events: [ExportedEvent]
    public let summary: [String]

    public init(request: PublicPrivacyRequest, exportedAt: Date, profile: PublicProfile, events: [ExportedEvent], summary: [String]) {
        self.request = request
        self.exportedAt = exportedAt
        self.profile = profile
        self.events = events
        self.summary = summary
    }
}
