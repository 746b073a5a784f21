import Foundation
import Logging
import PostgresNIO
import Shared

/// An ingested event as identity reads it: the stored row, with its PII opened.
struct StoredEvent: Sendable {
    let messageId: String
    let receivedAt: String
    let sourceID: UUID
    let eventTime: Date
    let message: [String: JSONValue]

    /// The event a bus reference points at, or nil when it is gone (erased, or pruned by retention).
    static func load(_ reference: EventReference, workspaceID: UUID, keys: WorkspaceKeys, on connection: PostgresConnection, logger: Logger) async throws -> StoredEvent? {
        for try await (sourceID, eventTime, text) in try await connection.query(
            """
            SELECT source_id, event_time, message::text FROM events
            WHERE workspace_id = \(workspaceID) AND received_at = \(reference.receivedAt)::timestamptz AND message_id = \(reference.messageId)
            """,
            logger: logger
        ).decode((UUID, Date, String).self) {
            let sealed = try JSONValue.parse(text).objectValue ?? [:]
            let message = try SealedFields(key: keys.dataKey, workspaceID: workspaceID).openMessage(sealed)
            return StoredEvent(messageId: reference.messageId, receivedAt: reference.receivedAt, sourceID: sourceID, eventTime: eventTime, message: message)
        }
        return nil
    }

    /// The traits an event states about its person: `traits` of an identify, else `context.traits`.
    var traits: [String: JSONValue] {
        if message["type"]?.stringValue == "identify", let traits = message["traits"]?.objectValue { return traits }
        return message["context"]?["traits"]?.objectValue ?? [:]
    }
}
