import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import Logging
import PostgresNIO
import ServiceLifecycle

/// Reporting's rollup consumers, started after a first-run backfill.
///
/// The outbox keeps a message until every consumer group that has a cursor on its topic has passed it, so
/// the messages of events stored while no reporting worker had ever run (an upgrade, a reporting service
/// deployed later than the others) may be gone when the first one starts. On the first start of the group
/// (no cursor of it yet), the worker therefore first pins the outbox (the group's cursors, at the start, so
/// nothing is pruned past them from then on) and rolls up every workspace's events from the raw tables; then
/// the consumers take the retained messages, whose upserts change nothing already rolled up.
struct ReportRollupWorker: Service {
    let consumer: ReportRollupConsumer
    let database: PostgresClient
    let options: OutboxConsumerOptions
    let logger: Logger

    static let topics = [OutboxTopic.events, .resolutions, .profiles]

    func run() async throws {
        try await backfillOnFirstStart()
        let consumers = consumer.consumers(database: database, logger: logger, options: options)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for consumer in consumers { group.addTask { try await consumer.run() } }
            try await group.waitForAll()
        }
    }

    /// Pins the outbox and rolls every workspace up when the group has never run; returns the rows written
    /// (nil when it has run before).
    @discardableResult
    func backfillOnFirstStart() async throws -> Int? {
        let group = ReportRollupConsumer.consumerGroup
        let started = try await database.query(
            "SELECT EXISTS (SELECT 1 FROM outbox_cursors WHERE consumer_group = \(group))", logger: logger
        ).decode(Bool.self).first(where: { _ in true }) ?? false
        guard !started else { return nil }
        for topic in Self.topics {
            try await database.query(
                """
                INSERT INTO outbox_cursors (consumer_group, topic, partition)
                SELECT \(group), \(topic.name), p FROM generate_series(0, \(topic.partitions - 1)) AS p
                ON CONFLICT DO NOTHING
                """,
                logger: logger
            )
        }
        let workspaces = try await database.query("SELECT id FROM workspaces ORDER BY id", logger: logger).decode(UUID.self).collectAll()
        var rows = 0
        for workspaceID in workspaces {
            rows += try await database.transaction(logger: logger) { connection in
                try await consumer.writer.rollAll(in: workspaceID, on: connection)
            }
        }
        logger.info("rolled up every workspace on the group's first start", metadata: ["workspaces": "\(workspaces.count)", "rows": "\(rows)"])
        return rows
    }
}
