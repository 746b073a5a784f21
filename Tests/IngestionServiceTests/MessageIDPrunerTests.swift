import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import KinshipTestSupport
import PostgresNIO
import Testing
@testable import IngestionService

/// The pruner forgets exactly the ids older than the dedup window.
@Suite struct MessageIDPrunerTests {
    @Test func forgetsTheIdsOlderThanTheWindowAndKeepsTheRest() async throws {
        try await IngestionFixture.run { fixture, _ in
            let workspace = fixture.workspace.id
            try await fixture.database.query(
                """
                INSERT INTO event_message_ids (workspace_id, source_id, message_id, received_at)
                SELECT \(workspace), \(fixture.sourceID), 'old-' || g, now() - interval '8 days' - g * interval '1 minute' FROM generate_series(1, 300) g
                UNION ALL
                SELECT \(workspace), \(fixture.sourceID), 'new-' || g, now() - interval '6 days' + g * interval '1 minute' FROM generate_series(1, 200) g
                """,
                logger: TestDatabase.logger
            )
            let pruner = MessageIDPruner(database: fixture.database, logger: TestDatabase.logger, windowDays: 7)
            // Other tests' workspaces share the table, so count this workspace's ids.
            _ = try await pruner.pruneOnce()
            let left = try await fixture.database.query(
                "SELECT count(*) FILTER (WHERE message_id LIKE 'old-%')::int, count(*) FILTER (WHERE message_id LIKE 'new-%')::int FROM event_message_ids WHERE workspace_id = \(workspace)",
                logger: TestDatabase.logger
            ).decode((Int, Int).self).collectAll()
            #expect(left.first?.0 == 0)
            #expect(left.first?.1 == 200)
        }
    }
}
