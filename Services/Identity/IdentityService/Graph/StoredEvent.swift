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

    /// The events bus references point at, in the references' order; those gone (erased, or pruned by
    /// retention) are left out.
    static func load(_ references: [EventReference], workspaceID: UUID, keys: WorkspaceKeys, on connection: PostgresConnection, logger: Logger) async throws -> [StoredEvent] {
        guard !references.isEmpty else { return [] }
        let opener = SealedFields(key: keys.dataKey, workspaceID: workspaceID)
        var found: [Int: StoredEvent] = [:]
        for try await (index, sourceID, eventTime, text) in try await connection.query(
            """
            SELECT n.i::int, e.source_id, e.event_time, e.message::text
            FROM unnest(\(references.map(\.receivedAt))::timestamptz[], \(references.map(\.messageId))::text[]) WITH ORDINALITY AS n(r, m, i)
            JOIN events e ON e.workspace_id = \(workspaceID) AND e.received_at = n.r AND e.message_id = n.m
            """,
            logger: logger
        ).decode((Int, UUID, Date, String).self) {
            let reference = references[index - 1]
            let message = try opener.openMessage(try JSONValue.parse(text).objectValue ?? [:])
            found[index - 1] = StoredEvent(messageId: reference.messageId, receivedAt: reference.receivedAt, sourceID: sourceID, eventTime: eventTime, message: message)
        }
        return references.indices.compactMap { found[$0] }
    }

    /// Every event resolved to a profile, oldest first (for replaying its traits after a split).
    static func all(of profile: UUID, workspaceID: UUID, keys: WorkspaceKeys, on connection: PostgresConnection, logger: Logger) async throws -> [StoredEvent] {
        let opener = SealedFields(key: keys.dataKey, workspaceID: workspaceID)
        var events: [StoredEvent] = []
        for try await (receivedAt, messageId, sourceID, eventTime, text) in try await connection.query(
            """
            SELECT to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), message_id, source_id, event_time, message::text
            FROM events WHERE workspace_id = \(workspaceID) AND profile_id = \(profile) ORDER BY event_time
            """,
            logger: logger
        ).decode((String, String, UUID, Date, String).self) {
            let message = try opener.openMessage(try JSONValue.parse(text).objectValue ?? [:])
            events.append(StoredEvent(messageId: messageId, receivedAt: receivedAt, sourceID: sourceID, eventTime: eventTime, message: message))
        }
        return events
    }

    /// The traits an event states about its person: `traits` of an identify, else `context.traits`.
    var traits: [String: JSONValue] {
        if message["type"]?.stringValue == "identify", let traits = message["traits"]?.objectValue { return traits }
        return message["context"]?["traits"]?.objectValue ?? [:]
    }
}
