import KinshipCore
import KinshipDatabase
import Logging
import PostgresNIO
import ServiceLifecycle

/// Deletes outbox rows that every consumer group of their topic has passed, so the table stays small.
/// A topic that no group consumes keeps its rows for `unconsumedRetention`, then loses them.
public struct OutboxPruner: Service {
    let database: PostgresClient
    let logger: Logger
    let interval: Duration
    let unconsumedRetention: Duration
    let chunk: Int

    public init(
        database: PostgresClient, logger: Logger, interval: Duration = .seconds(60),
        unconsumedRetention: Duration = .seconds(7 * 86_400), chunk: Int = 10_000
    ) {
        self.database = database
        self.logger = logger
        self.interval = interval
        self.unconsumedRetention = unconsumedRetention
        self.chunk = chunk
    }

    public func run() async throws {
        await runPeriodically(every: interval, logger: logger, failure: "outbox pruning failed; will retry") {
            let deleted = try await pruneOnce()
            if deleted > 0 { logger.info("pruned outbox", metadata: ["rows": "\(deleted)"]) }
        }
    }

    /// One pass; returns the number of rows deleted.
    @discardableResult
    public func pruneOnce() async throws -> Int {
        var deleted = 0
        // Per topic and partition, the slowest group's cursor: everything at or before it is done with.
        let passed = try await database.query(
            """
            SELECT DISTINCT ON (c.topic, c.partition) c.topic, c.partition, c.tx_id::text AS tx_text, c.id
            FROM outbox_cursors c ORDER BY c.topic, c.partition, c.tx_id, c.id
            """,
            logger: logger
        ).decode((String, Int, String, Int64).self).collectAll()
        for (topic, partition, txID, id) in passed {
            deleted += try await deleteInChunks(
                """
                WITH deleted AS (
                    DELETE FROM outbox WHERE id IN (
                        SELECT id FROM outbox WHERE topic = \(topic) AND partition = \(partition) AND (tx_id, id) <= (\(txID)::xid8, \(id))
                        LIMIT \(chunk))
                    RETURNING 1)
                SELECT count(*)::int FROM deleted
                """
            )
        }
        // Rows are appended in id order, so the lowest id is (to within a moment) the oldest row: while it is
        // within the retention, no row is past it, and the scan below, which reads the whole table, is skipped.
        // It ran every minute in every replica, a burst of a core's work that showed in request latencies.
        let oldestExpired = try await database.query(
            "SELECT created_at < now() - \(unconsumedRetention.postgresInterval)::interval FROM outbox ORDER BY id LIMIT 1",
            logger: logger
        ).decode(Bool.self).first(where: { _ in true }) ?? false
        guard oldestExpired else { return deleted }
        deleted += try await deleteInChunks(
            """
            WITH deleted AS (
                DELETE FROM outbox WHERE id IN (
                    SELECT id FROM outbox o WHERE created_at < now() - \(unconsumedRetention.postgresInterval)::interval
                      AND NOT EXISTS (SELECT 1 FROM outbox_cursors c WHERE c.topic = o.topic)
                    LIMIT \(chunk))
                RETURNING 1)
            SELECT count(*)::int FROM deleted
            """
        )
        return deleted
    }

    /// Runs a `WITH deleted AS (DELETE … LIMIT chunk RETURNING 1) SELECT count(*)` until a pass deletes less than a chunk,
    /// so no single transaction holds locks on a huge number of rows.
    private func deleteInChunks(_ query: PostgresQuery) async throws -> Int {
        var total = 0
        while true {
            let count = try await database.query(query, logger: logger).decode(Int.self).first(where: { _ in true }) ?? 0
            total += count
            if count < chunk { return total }
        }
    }
}
