import Foundation
import PostgresNIO

/// How one batch of a partition ended.
enum BatchOutcome: Sendable {
    /// Messages were handled (or dead-lettered) and the cursor moved.
    case progressed
    /// Nothing committed is waiting.
    case idle
    /// A handler failed; try this partition again after the delay.
    case retryLater(Duration)
    /// Another worker holds the partition now.
    case leaseLost
}

/// A handler failed on the message at `index` of the batch.
private struct HandlerFailure: Error {
    let index: Int
    let error: any Error
}

private struct Cursor {
    var txID: String
    var id: Int64
    var attempts: Int
}

private struct Row {
    let message: OutboxMessage
    let txID: String
    let onlyGroup: String?
}

extension OutboxConsumer {
    /// Reads the next committed messages of a partition and handles them in one transaction that also
    /// advances the cursor. When a handler fails, the batch is rolled back and redone up to the failing
    /// message, whose failure is recorded (and which is dead-lettered after `maxAttempts`).
    func processBatch(partition: Int) async throws -> BatchOutcome {
        do {
            return try await database.transaction(logger: logger) { connection in
                guard let cursor = try await lockPartition(partition, on: connection) else { return .leaseLost }
                let rows = try await readBatch(partition: partition, after: cursor, on: connection)
                guard !rows.isEmpty else { return .idle }
                for (index, row) in rows.enumerated() where row.onlyGroup == nil || row.onlyGroup == group {
                    do {
                        try await handler(row.message, connection)
                    } catch {
                        throw HandlerFailure(index: index, error: error)
                    }
                }
                try await advance(partition, to: rows[rows.count - 1], attempts: 0, error: nil, on: connection)
                metrics.processed(rows.count, partition: partition)
                return .progressed
            }
        } catch let failure as HandlerFailure {
            return try await recordFailure(failure, partition: partition)
        }
    }

    private func recordFailure(_ failure: HandlerFailure, partition: Int) async throws -> BatchOutcome {
        try await database.transaction(logger: logger) { connection in
            guard let cursor = try await lockPartition(partition, on: connection) else { return .leaseLost }
            let rows = try await readBatch(partition: partition, after: cursor, on: connection)
            guard failure.index < rows.count else { return .retryLater(options.initialBackoff) }
            for row in rows[..<failure.index] where row.onlyGroup == nil || row.onlyGroup == group {
                try await handler(row.message, connection)
            }
            let failed = rows[failure.index]
            let attempts = cursor.attempts + 1
            let errorText = String(String(reflecting: failure.error).prefix(2000))
            logger.warning("outbox handler failed", metadata: [
                "group": "\(group)", "message_id": "\(failed.message.id)", "attempt": "\(attempts)", "error": "\(errorText)",
            ])
            if attempts >= options.maxAttempts {
                try await connection.query(
                    """
                    INSERT INTO outbox_dead_letters (consumer_group, topic, partition, message_id, workspace_id, key, payload, error, attempts)
                    VALUES (\(group), \(topic.name), \(partition), \(failed.message.id), \(failed.message.workspaceID),
                            \(failed.message.key), \(failed.message.payload)::jsonb, \(errorText), \(attempts))
                    """,
                    logger: logger
                )
                try await advance(partition, to: failed, attempts: 0, error: nil, on: connection)
                metrics.processed(failure.index, partition: partition)
                metrics.deadLettered(partition: partition)
                return .progressed
            }
            if failure.index > 0 {
                try await advance(partition, to: rows[failure.index - 1], attempts: attempts, error: errorText, on: connection)
                metrics.processed(failure.index, partition: partition)
            } else {
                try await recordAttempt(partition, attempts: attempts, error: errorText, on: connection)
            }
            metrics.retried(partition: partition)
            return .retryLater(backoff(afterAttempt: attempts))
        }
    }

    func backoff(afterAttempt attempt: Int) -> Duration {
        min(options.maximumBackoff, options.initialBackoff * (1 << min(attempt - 1, 20)))
    }

    /// Confirms the lease (and holds it, so no other worker can take the partition mid-batch) and
    /// returns the group's cursor, creating it at the start of the topic the first time.
    private func lockPartition(_ partition: Int, on connection: PostgresConnection) async throws -> Cursor? {
        let leased = try await connection.query(
            """
            SELECT 1 FROM outbox_leases
            WHERE consumer_group = \(group) AND topic = \(topic.name) AND partition = \(partition)
              AND owner = \(workerID) AND expires_at > now()
            FOR UPDATE
            """,
            logger: logger
        ).decode(Int.self).first(where: { _ in true }) != nil
        guard leased else { return nil }
        try await connection.query(
            "INSERT INTO outbox_cursors (consumer_group, topic, partition) VALUES (\(group), \(topic.name), \(partition)) ON CONFLICT DO NOTHING",
            logger: logger
        )
        for try await (txID, id, attempts) in try await connection.query(
            "SELECT tx_id::text, id, attempts FROM outbox_cursors WHERE consumer_group = \(group) AND topic = \(topic.name) AND partition = \(partition)",
            logger: logger
        ).decode((String, Int64, Int).self) {
            return Cursor(txID: txID, id: id, attempts: attempts)
        }
        return nil
    }

    /// The next messages after the cursor, in commit-safe order (by the xid8 `tx_id`, never its text:
    /// "10010" sorts before "9996"). Only transactions older than every
    /// running one (`tx_id < xmin` of the current snapshot) are read: such a transaction has ended, so no
    /// row can still appear before the cursor, whatever order transactions commit in.
    private func readBatch(partition: Int, after cursor: Cursor, on connection: PostgresConnection) async throws -> [Row] {
        var rows: [Row] = []
        rows.reserveCapacity(options.batchSize)
        for try await (id, txID, workspaceID, key, payload, createdAt, onlyGroup) in try await connection.query(
            """
            SELECT o.id, o.tx_id::text AS tx_text, o.workspace_id, o.key, o.payload::text, o.created_at, o.only_group FROM outbox o
            WHERE o.topic = \(topic.name) AND o.partition = \(partition)
              AND (o.tx_id, o.id) > (\(cursor.txID)::xid8, \(cursor.id))
              AND o.tx_id < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY o.tx_id, o.id
            LIMIT \(options.batchSize)
            """,
            logger: logger
        ).decode((Int64, String, UUID, String, String, Date, String?).self) {
            rows.append(Row(
                message: OutboxMessage(id: id, topic: topic.name, partition: partition, workspaceID: workspaceID, key: key, payload: payload, createdAt: createdAt),
                txID: txID, onlyGroup: onlyGroup
            ))
        }
        return rows
    }

    private func advance(_ partition: Int, to row: Row, attempts: Int, error: String?, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            UPDATE outbox_cursors SET tx_id = \(row.txID)::xid8, id = \(row.message.id), attempts = \(attempts),
                last_error = \(error), updated_at = now()
            WHERE consumer_group = \(group) AND topic = \(topic.name) AND partition = \(partition)
            """,
            logger: logger
        )
    }

    private func recordAttempt(_ partition: Int, attempts: Int, error: String, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            UPDATE outbox_cursors SET attempts = \(attempts), last_error = \(error), updated_at = now()
            WHERE consumer_group = \(group) AND topic = \(topic.name) AND partition = \(partition)
            """,
            logger: logger
        )
    }
}
