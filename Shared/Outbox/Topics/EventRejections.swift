import Foundation
import KinshipCore
import KinshipDatabase
import Logging
import Metrics
import PostgresNIO

/// A stored event a consumer could not handle, and why.
public struct EventRejection: Sendable, Equatable {
    public let workspaceID: UUID
    public let reference: EventReference
    public let reason: String

    public init(workspaceID: UUID, reference: EventReference, reason: String) {
        self.workspaceID = workspaceID
        self.reference = reference
        // Enough to diagnose; an error's description may quote what it failed on at length.
        self.reason = String(reason.prefix(500))
    }
}

/// A rejection as an operator lists it.
public struct RecordedEventRejection: Sendable, Equatable {
    public let group: String
    public let workspaceID: UUID
    /// Nil when the workspace is gone.
    public let workspaceName: String?
    /// The name of the source that sent the event; nil when the event is no longer stored.
    public let sourceName: String?
    public let messageID: String
    public let receivedAt: Date
    public let reason: String
    public let rejectedAt: Date
}

/// Where `events` consumers put the events they cannot handle, so that one unreadable event costs itself
/// only: the consumer records it (in its own transaction, with the cursor) and goes on with the rest of the
/// message, where failing would retry, dead-letter and hold up every event of the message and the partition.
/// Only what the event itself causes is a rejection; a failure of the database is retried as before.
public enum EventRejections {
    public static func record(_ rejections: [EventRejection], group: String, on connection: PostgresConnection, logger: Logger) async throws {
        guard !rejections.isEmpty else { return }
        for rejection in rejections {
            logger.warning("event rejected", metadata: [
                "group": "\(group)", "workspace_id": "\(rejection.workspaceID.lowercased)",
                "message_id": "\(rejection.reference.messageId)", "reason": "\(rejection.reason)",
            ])
        }
        try await connection.query(
            """
            INSERT INTO event_rejections (consumer_group, workspace_id, received_at, message_id, reason)
            SELECT \(group), w, r, m, why
            FROM unnest(\(rejections.map(\.workspaceID))::uuid[], \(rejections.map(\.reference.receivedAt))::timestamptz[],
                        \(rejections.map(\.reference.messageId))::text[], \(rejections.map(\.reason))::text[]) AS n(w, r, m, why)
            ON CONFLICT (consumer_group, workspace_id, received_at, message_id) DO UPDATE SET reason = excluded.reason, rejected_at = now()
            """,
            logger: logger
        )
        Counter(label: "kinship_outbox_events_rejected_total", dimensions: [("group", group)]).increment(by: rejections.count)
    }

    /// The newest rejections first, of one group when given, with the names of their workspace and of the source that sent the event.
    public static func recent(group: String?, limit: Int, database: PostgresClient, logger: Logger) async throws -> [RecordedEventRejection] {
        try await database.query(
            """
            SELECT r.consumer_group, r.workspace_id, w.name, s.name, r.message_id, r.received_at, r.reason, r.rejected_at
            FROM (
                SELECT consumer_group, workspace_id, message_id, received_at, reason, rejected_at FROM event_rejections
                WHERE \(group)::text IS NULL OR consumer_group = \(group)
                ORDER BY rejected_at DESC LIMIT \(limit)
            ) r
            LEFT JOIN workspaces w ON w.id = r.workspace_id
            LEFT JOIN events e ON e.workspace_id = r.workspace_id AND e.received_at = r.received_at AND e.message_id = r.message_id
            LEFT JOIN sources s ON s.workspace_id = e.workspace_id AND s.id = e.source_id
            ORDER BY r.rejected_at DESC
            """,
            logger: logger
        ).decode((String, UUID, String?, String?, String, Date, String, Date).self).collectAll().map {
            RecordedEventRejection(
                group: $0.0, workspaceID: $0.1, workspaceName: $0.2, sourceName: $0.3, messageID: $0.4, receivedAt: $0.5, reason: $0.6,
                rejectedAt: $0.7
            )
        }
    }
}
