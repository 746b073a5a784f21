import Foundation
import KinshipCore
import KinshipOutbox
import KinshipTestSupport
import PostgresNIO
import Testing
@testable import ReportingService

/// The first start of reporting's worker rolls up what the outbox may no longer hold, and pins the outbox.
struct ReportRollupWorkerTests {
    @Test func theFirstStartRollsUpEveryWorkspaceAndPinsTheOutboxAndLaterStartsDoNot() async throws {
        // A database of its own: whether the group has ever run is a fact of the whole database.
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url) { database in
                let shop = try await ReportFixture(database: database)
                let ann = try await shop.profile()
                let order = try await shop.track("Order Completed", of: ann, at: "2026-03-02T10:00:00.000Z", ["order_id": "O1", "total": 100], rolledUp: false)
                let other = try await ReportFixture(database: database)
                let view = try await other.page(of: nil, at: "2026-03-02T07:00:00.000Z", campaign: ["source": "line"], rolledUp: false)

                let worker = ReportRollupWorker(
                    consumer: ReportRollupConsumer(logger: ReportFixture.logger), database: database,
                    options: OutboxConsumerOptions(), logger: ReportFixture.logger
                )
                #expect(try await worker.backfillOnFirstStart() == 2)
                #expect(try await ReportRollupConsumerTests.rows(of: shop, on: database)[order.messageId]?.orderKey == "order:O1")
                #expect(try await ReportRollupConsumerTests.rows(of: other, on: database)[view.messageId]?.campaign == "line")
                let pinned = try await database.query(
                    "SELECT count(*)::int FROM outbox_cursors WHERE consumer_group = 'reporting' AND tx_id = '0' AND id = 0", logger: ReportFixture.logger
                ).decode(Int.self).first(where: { _ in true })
                #expect(pinned == ReportRollupWorker.topics.map(\.partitions).reduce(0, +))

                // The group has run: its messages are kept for it, so no later start reads every event again.
                _ = try await shop.track("Order Completed", of: ann, at: "2026-03-03T10:00:00.000Z", ["order_id": "O2", "total": 50], rolledUp: false)
                #expect(try await worker.backfillOnFirstStart() == nil)
                #expect(try await ReportRollupConsumerTests.rows(of: shop, on: database).count == 1)
            }
        }
    }
}
