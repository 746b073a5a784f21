import Foundation
import KinshipCore
import KinshipDatabase

/// A message to append to the outbox. Keep payloads small: a reference to a stored row, not a copy of it.
public struct OutboxDraft: Sendable {
    public let topic: OutboxTopic
    public let workspaceID: UUID
    /// Messages with the same key go to the same partition and are delivered in order.
    public let key: String
    /// JSON text.
    public let payload: String

    public init(topic: OutboxTopic, workspaceID: UUID, key: String, payload: String) {
        self.topic = topic
        self.workspaceID = workspaceID
        self.key = key
        self.payload = payload
    }

    public init(topic: OutboxTopic, workspaceID: UUID, key: String, payload: some Encodable) throws {
        self.init(topic: topic, workspaceID: workspaceID, key: key, payload: String(decoding: try JSONCoding.encoder().encode(payload), as: UTF8.self))
    }
}

/// A committed message, as a consumer receives it.
public struct OutboxMessage: Sendable, Equatable {
    /// Unique and stable: handlers use it to make their effect idempotent.
    public let id: Int64
    public let topic: String
    public let partition: Int
    public let workspaceID: UUID
    public let key: String
    /// JSON text.
    public let payload: String
    /// When the producing transaction wrote it (for lag and latency).
    public let createdAt: Date

    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONCoding.decode(type, from: Data(payload.utf8))
    }
}
