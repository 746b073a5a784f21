import Foundation
import KinshipOutbox
import PostgresNIO

/// The references a workspace's `events` outbox messages carry that name one of its stored events, each
/// counted as often as it is referenced: equal to the stored events when each is referenced exactly once.
public func referencedEvents(in workspaceID: UUID, on database: PostgresClient) async throws -> Int {
    try await database.query(
        """
        SELECT count(*)::int FROM outbox o
        CROSS JOIN LATERAL \(unescaped: EventReference.sqlReferences(in: "o.payload")) AS r(reference)
        JOIN events e ON e.workspace_id = o.workspace_id AND e.received_at = (\(unescaped: EventReference.sqlField(.receivedAt, of: "r.reference")))::timestamptz
            AND e.message_id = \(unescaped: EventReference.sqlField(.messageId, of: "r.reference"))
        WHERE o.topic = \(OutboxTopic.events.name) AND o.workspace_id = \(workspaceID)
        """,
        logger: TestDatabase.logger
    ).decode(Int.self).first(where: { _ in true }) ?? -1
}
