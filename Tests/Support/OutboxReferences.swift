import Foundation
import PostgresNIO

/// The references a workspace's `events` outbox messages carry that name one of its stored events, each
/// counted as often as it is referenced: equal to the stored events when each is referenced exactly once.
public func referencedEvents(in workspaceID: UUID, on database: PostgresClient) async throws -> Int {
    try await database.query(
        """
        SELECT count(*)::int FROM outbox o
        CROSS JOIN LATERAL jsonb_array_elements(o.payload->'events') AS r(reference)
        JOIN events e ON e.workspace_id = o.workspace_id AND e.received_at = (r.reference->>'receivedAt')::timestamptz
            AND e.message_id = r.reference->>'messageId'
        WHERE o.topic = 'events' AND o.workspace_id = \(workspaceID)
        """,
        logger: TestDatabase.logger
    ).decode(Int.self).first(where: { _ in true }) ?? -1
}
