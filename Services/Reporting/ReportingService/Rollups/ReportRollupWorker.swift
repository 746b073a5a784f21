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
public struct ReportRollupWorker: Service {
    let consumer: ReportRollupConsumer
    let database: PostgresClient
    let options: OutboxConsumerOptions
    let logger: Logger

    public static let topics = [OutboxTopic.events, .resolutions, .profiles]

    public func run() async throws {
        try await backfillOnFirstStart()
        let consumers = consumer.consumers(database: database, logger: logger, options: options)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for consumer in consumers { group.addTask { try await consumer.run() } }
            try await group.waitForAll()
        }
    }

    /// Pins the outbox and rolls every workspace up when the group has never run; returns the rows written
    /// (nil when it has run before). A failure is tried again, with a growing pause, until it succeeds or the
    /// service stops: the consumers must not start before it, nor the service go on without them.
    @discardableResult
    func backfillOnFirstStart() async throws -> Int? {
        var pause = Duration.seconds(1)
        while true {
            do {
                return try await backfillIfNew()
            } catch {
                try Task.checkCancellation()
                logger.warning("rolling up on the group's first start failed; trying again", metadata: [
                    "error": "\(String(reflecting: error))", "retry_in_s": "\(pause.components.seconds)",
                ])
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(30))
            }
        }
    }

    private func backfillIfNew() async throws -> Int? {
        let started = try await database.query(
            "SELECT EXISTS (SELECT 1 FROM outbox_cursors WHERE consumer_group = \(ReportRollupConsumer.consumerGroup))", logger: logger
        ).decode(Bool.self).first(where: { _ in true }) ?? false
        guard !started else { return nil }
        try await Self.pinOutbox(on: database, logger: logger)
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

    /// The group's cursors at the start of every partition of its topics, where there are none: from then on
    /// the outbox keeps every message until the group has passed it. Public for the benchmarks, which roll
    /// up a shop loaded without the outbox themselves and then start the service as one that has run.
    public static func pinOutbox(on database: PostgresClient, logger: Logger) async throws {
        for topic in topics {
            try await database.query(
                """
                INSERT INTO outbox_cursors (consumer_group, topic, partition)
                SELECT \(ReportRollupConsumer.consumerGroup), \(topic.name), p FROM generate_series(0, \(topic.partitions - 1)) AS p
                ON CONFLICT DO NOTHING
                """,
                logger: logger
            )
        }
    }
}
