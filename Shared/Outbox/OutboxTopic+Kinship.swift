extension OutboxTopic {
    /// An event was stored (ingestion → identity). Keyed by the blind-index token (hex) of the event's
    /// strongest id (user id, else anonymous id), so one person's events stay in order; the payload
    /// references the stored row.
    public static let events = OutboxTopic("events", partitions: 16)
}

/// The payload of an `events` message: where the stored event is, not a second copy of it.
public struct EventReference: Codable, Sendable, Equatable {
    public var messageId: String
    public var receivedAt: String

    public init(messageId: String, receivedAt: String) {
        self.messageId = messageId
        self.receivedAt = receivedAt
    }
}
