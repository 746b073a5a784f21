import Foundation
import PostgresNIO

/// How one batch of a partition ended.
enum BatchOutcome: Sendable {
    /// Messages were handled (or dead-lettered) and the cursor moved; `more` when the batch was full, so
    /// more may be waiting.
    case progressed(more: Bool)
    /// Nothing committed is waiting.
    case idle
    /// Committed messages (handled ones before them, perhaps) wait behind transactions older than
    /// `than`, the first waiting message's `tx_id`, that are still running.
    case waitingForOlderTransactions(than: UInt64)
    /// A handler failed; try this partition again after the delay.
    case retryLater(Duration)
    /// Another worker holds the partition now.
    case leaseLost
}

/// The batch handler failed somewhere in the batch.
private struct BatchHandlerFailure: Error {}

/// A handler failed on the message at `index` of the batch.
private struct HandlerFailure: Error {
    let index: Int
    let error: any Error
}

/// Where a consumer group stands in a partition: past the message `id` of transaction `txID`.
struct OutboxCursor: Sendable, Equatable {
    var txID: String
    var id: Int64
    var attempts: Int
}

/// The cursor, the next committed messages after it, and the snapshot xmin they were read under.
private struct Batch {
    let cursor: OutboxCursor
    let rows: [Row]
    /// The `tx_id` of the first committed message held back by an older running transaction, if any.
    let waitingBehind: UInt64?
    let xmin: UInt64?
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
    ///
    /// Also returns the snapshot xmin the batch saw (every older transaction has ended), which tells the
    /// scheduler that partitions waiting behind those transactions can be read now.
    ///
    /// With a batch handler, the batch goes to it whole first; if it fails, one message at a time.
    func processBatch(partition: Int, oneByOne: Bool = false) async throws -> (outcome: BatchOutcome, xmin: UInt64?) {
        let result: (outcome: BatchOutcome, xmin: UInt64?, cursor: OutboxCursor?)
        do {
            result = try await database.transaction(logger: logger) { connection in
                try await lockPartition(partition, on: connection)
                guard let batch = try await openBatch(partition, on: connection) else { return (.leaseLost, nil, nil) }
                let rows = batch.rows
                guard let last = rows.last else {
                    return (batch.waitingBehind.map { BatchOutcome.waitingForOlderTransactions(than: $0) } ?? .idle, batch.xmin, batch.cursor)
                }
                let mine = rows.enumerated().filter { $0.element.onlyGroup == nil || $0.element.onlyGroup == group }
                if let batchHandler, !oneByOne, mine.count > 1 {
                    do {
                        try await batchHandler(mine.map(\.element.message), connection)
                    } catch {
                        throw BatchHandlerFailure()
                    }
                } else {
                    for (index, row) in mine {
                        do {
                            try await handler(row.message, connection)
                        } catch {
                            throw HandlerFailure(index: index, error: error)
                        }
                    }
                }
                let advanced = try await advance(partition, to: last, attempts: 0, error: nil, on: connection)
                metrics.processed(rows.count, partition: partition)
                if let waitingBehind = batch.waitingBehind {
                    return (.waitingForOlderTransactions(than: waitingBehind), batch.xmin, advanced)
                }
                return (.progressed(more: rows.count >= options.batchSize), batch.xmin, advanced)
            }
        } catch let failure as HandlerFailure {
            cursors.forget(partition)
            return (try await recordFailure(failure, partition: partition), nil)
        } catch is BatchHandlerFailure {
            cursors.forget(partition)
            return try await processBatch(partition: partition, oneByOne: true)
        } catch {
            cursors.forget(partition)
            throw error
        }
        // Only once committed: the next batch checks this cursor instead of reading it.
        cursors.remember(result.cursor, for: partition)
        return (result.outcome, result.xmin)
    }

    private func recordFailure(_ failure: HandlerFailure, partition: Int) async throws -> BatchOutcome {
        try await database.transaction(logger: logger) { connection in
            try await lockPartition(partition, on: connection)
            guard let batch = try await openBatch(partition, on: connection) else { return .leaseLost }
            let (cursor, rows) = (batch.cursor, batch.rows)
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
                return .progressed(more: true)
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

    /// Takes the partition's lock for this transaction.
    ///
    /// The lock is an advisory one, not `FOR UPDATE` on the lease: a row lock would give this
    /// transaction an xid from its first statement, holding back the snapshot xmin that every consumer
    /// reads up to for the whole batch. A worker that takes over an expired lease waits here until the
    /// previous owner's batch has ended, and then reads the cursor that batch committed.
    private func lockPartition(_ partition: Int, on connection: PostgresConnection) async throws {
        let lockName = "\(group)/\(topic.name)"
        // Its own statement: a statement's snapshot is taken before it waits, so a cursor read in the same
        // statement as the lock could predate the previous owner's last commit.
        try await connection.query(
            """
            SELECT pg_advisory_xact_lock(hashtext(\(lockName)), \(Int32(partition))),
                   set_config('synchronous_commit', \(options.asynchronousCommit ? "off" : "on"), true)
            """,
            logger: logger
        )
    }

    /// The group's cursor and the messages after it, provided this worker holds a live lease; nil if not.
    ///
    /// The cursor this worker committed last is checked in the statement that reads the messages (one round
    /// trip); only when it is unknown or stale (another worker moved it, a failure was recorded) is the
    /// cursor read first, and created at the start of the topic the first time.
    private func openBatch(_ partition: Int, on connection: PostgresConnection) async throws -> Batch? {
        if let known = cursors.cursor(for: partition) {
            if let batch = try await readBatch(partition: partition, after: known, on: connection) { return batch }
            cursors.forget(partition)
        }
        var cursor = try await readLeasedCursor(partition, on: connection)
        if cursor == nil {
            try await connection.query(
                "INSERT INTO outbox_cursors (consumer_group, topic, partition) VALUES (\(group), \(topic.name), \(partition)) ON CONFLICT DO NOTHING",
                logger: logger
            )
            cursor = try await readLeasedCursor(partition, on: connection)
        }
        guard let cursor else { return nil }
        return try await readBatch(partition: partition, after: cursor, on: connection)
    }

    /// The cursor, provided this worker holds a live lease on the partition (one round trip for both).
    private func readLeasedCursor(_ partition: Int, on connection: PostgresConnection) async throws -> OutboxCursor? {
        for try await (txID, id, attempts) in try await connection.query(
            """
            SELECT c.tx_id::text, c.id, c.attempts FROM outbox_leases l
            JOIN outbox_cursors c USING (consumer_group, topic, partition)
            WHERE l.consumer_group = \(group) AND l.topic = \(topic.name) AND l.partition = \(partition)
              AND l.owner = \(workerID) AND l.expires_at > now()
            """,
            logger: logger
        ).decode((String, Int64, Int).self) {
            return OutboxCursor(txID: txID, id: id, attempts: attempts)
        }
        return nil
    }

    /// The next messages after `cursor`, in commit-safe order (by the xid8 `tx_id`, never its text:
    /// "10010" sorts before "9996"), provided `cursor` is still the group's and this worker holds a live
    /// lease (nil if not). Only transactions older than every running one (`tx_id < xmin` of the current
    /// snapshot) are handed out: such a transaction has ended, so no row can still appear before the
    /// cursor, whatever order transactions commit in. `waitingBehind` is the `tx_id` of the first committed
    /// row beyond that point, if any: it can be read once the snapshot xmin passes it, and the caller looks
    /// again then instead of waiting for a notification that has already come.
    private func readBatch(partition: Int, after cursor: OutboxCursor, on connection: PostgresConnection) async throws -> Batch? {
        var rows: [Row] = []
        var waitingBehind: UInt64?
        var current = false
        var xmin: UInt64?
        rows.reserveCapacity(options.batchSize)
        // One row with only the first two columns when nothing follows the cursor (or it is not current).
        for try await (xminText, valid, id, txID, workspaceID, key, payload, createdAt, onlyGroup, safe) in try await connection.query(
            """
            WITH snapshot AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
            current AS MATERIALIZED (
                SELECT EXISTS (
                    SELECT FROM outbox_leases l JOIN outbox_cursors c USING (consumer_group, topic, partition)
                    WHERE l.consumer_group = \(group) AND l.topic = \(topic.name) AND l.partition = \(partition)
                      AND l.owner = \(workerID) AND l.expires_at > now()
                      AND c.tx_id = \(cursor.txID)::xid8 AND c.id = \(cursor.id) AND c.attempts = \(cursor.attempts)
                ) AS valid
            )
            SELECT snapshot.xmin::text, current.valid, o.id, o.tx_id::text, o.workspace_id, o.key, o.payload::text,
                   o.created_at, o.only_group, o.tx_id < snapshot.xmin
            FROM snapshot CROSS JOIN current
            LEFT JOIN LATERAL (
                SELECT * FROM outbox o
                WHERE current.valid AND o.topic = \(topic.name) AND o.partition = \(partition)
                  AND (o.tx_id, o.id) > (\(cursor.txID)::xid8, \(cursor.id))
                ORDER BY o.tx_id, o.id
                LIMIT \(options.batchSize)
            ) o ON true
            ORDER BY o.tx_id, o.id
            """,
            logger: logger
        ).decode((String, Bool, Int64?, String?, UUID?, String?, String?, Date?, String?, Bool?).self) {
            xmin = UInt64(xminText)
            current = valid
            guard let id, let txID, let workspaceID, let key, let payload, let createdAt, let safe else { continue }
            // Ordered by tx_id, so the first unsafe row ends the safe prefix (read to the end, not
            // broken off, so the connection is left clean).
            guard safe, waitingBehind == nil else {
                // A tx_id is a number; were its text ever not one, 0 only makes the caller look again at once.
                if waitingBehind == nil { waitingBehind = UInt64(txID) ?? 0 }
                continue
            }
            rows.append(Row(
                message: OutboxMessage(id: id, topic: topic.name, partition: partition, workspaceID: workspaceID, key: key, payload: payload, createdAt: createdAt),
                txID: txID, onlyGroup: onlyGroup
            ))
        }
        guard current else { return nil }
        return Batch(cursor: cursor, rows: rows, waitingBehind: waitingBehind, xmin: xmin)
    }

    @discardableResult
    private func advance(_ partition: Int, to row: Row, attempts: Int, error: String?, on connection: PostgresConnection) async throws -> OutboxCursor {
        try await connection.query(
            """
            UPDATE outbox_cursors SET tx_id = \(row.txID)::xid8, id = \(row.message.id), attempts = \(attempts),
                last_error = \(error), updated_at = now()
            WHERE consumer_group = \(group) AND topic = \(topic.name) AND partition = \(partition)
            """,
            logger: logger
        )
        return OutboxCursor(txID: row.txID, id: row.message.id, attempts: attempts)
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
