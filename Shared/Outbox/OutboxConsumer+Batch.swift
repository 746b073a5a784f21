import Foundation
import KinshipCore
import KinshipDatabase
import PostgresNIO

/// How one batch of a partition ended.
enum BatchOutcome: Sendable {
    /// Messages were handled (or dead-lettered) and the cursor moved; more may be waiting.
    case progressed
    /// The batch handler took only this many of the messages read; the cursor moved past them and the
    /// rest come again.
    case handledPart(Int)
    /// Messages were handled and nothing else was committed when the batch was read: the partition rests
    /// until marked (a later commit notifies after it commits, so its wake-up is not lost).
    case drained
    /// Nothing committed is waiting.
    case idle
    /// Committed messages wait behind a transaction that began before them and is still running.
    case waitingForOlderTransactions
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
    /// With a batch handler, the batch goes to it whole first; if it fails, one message at a time.
    /// At most `limit` messages are read.
    func processBatch(partition: Int, limit: Int, oneByOne: Bool = false) async throws -> BatchOutcome {
        do {
            return try await database.transaction(logger: logger) { connection in
                guard let cursor = try await lockPartition(partition, on: connection) else { return .leaseLost }
                let (rows, blocked, full) = try await readBatch(partition: partition, after: cursor, limit: limit, on: connection)
                guard !rows.isEmpty else { return blocked ? .waitingForOlderTransactions : .idle }
                let mine = rows.enumerated().filter { $0.element.onlyGroup == nil || $0.element.onlyGroup == group }
                if let batchHandler, !oneByOne, mine.count > 1 {
                    let handled: Int
                    do {
                        handled = try await batchHandler(mine.map(\.element.message), connection)
                    } catch {
                        throw BatchHandlerFailure()
                    }
                    guard handled >= 1, handled <= mine.count else { throw BatchHandlerFailure() }
                    if handled < mine.count {
                        // The rest, from the first message not handled, come again in the next batch.
                        let last = mine[handled - 1].offset
                        try await advance(partition, to: rows[last], attempts: 0, error: nil, on: connection)
                        metrics.processed(last + 1, partition: partition)
                        return .handledPart(handled)
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
                try await advance(partition, to: rows[rows.count - 1], attempts: 0, error: nil, on: connection)
                metrics.processed(rows.count, partition: partition)
                return blocked || full ? .progressed : .drained
            }
        } catch let failure as HandlerFailure {
            return try await recordFailure(failure, partition: partition, limit: limit)
        } catch is BatchHandlerFailure {
            return try await processBatch(partition: partition, limit: limit, oneByOne: true)
        }
    }

    private func recordFailure(_ failure: HandlerFailure, partition: Int, limit: Int) async throws -> BatchOutcome {
        try await database.transaction(logger: logger) { connection in
            guard let cursor = try await lockPartition(partition, on: connection) else { return .leaseLost }
            let rows = try await readBatch(partition: partition, after: cursor, limit: limit, on: connection).rows
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

    /// Takes the partition's lock for this transaction, confirms the lease, and returns the group's
    /// cursor, creating it at the start of the topic the first time.
    ///
    /// The lock is an advisory one, not `FOR UPDATE` on the lease: a row lock would give this
    /// transaction an xid from its first statement, holding back the snapshot xmin that every consumer
    /// reads up to for the whole batch. A worker that takes over an expired lease waits here until the
    /// previous owner's batch has ended, and then reads the cursor that batch committed.
    private func lockPartition(_ partition: Int, on connection: PostgresConnection) async throws -> Cursor? {
        let lockName = "\(group)/\(topic.name)"
        // Its own statement: a statement's snapshot is taken before it waits, so a cursor read in the same
        // statement as the lock could predate the previous owner's last commit.
        let lock = LockPartition(lockName: lockName, partition: Int32(partition), synchronousCommit: options.asynchronousCommit ? "off" : "on")
        _ = try await connection.rows(lock, logger: logger)
        if let cursor = try await readLeasedCursor(partition, on: connection) { return cursor }
        try await connection.query(
            "INSERT INTO outbox_cursors (consumer_group, topic, partition) VALUES (\(group), \(topic.name), \(partition)) ON CONFLICT DO NOTHING",
            logger: logger
        )
        return try await readLeasedCursor(partition, on: connection)
    }

    /// The cursor, provided this worker holds a live lease on the partition (one round trip for both).
    private func readLeasedCursor(_ partition: Int, on connection: PostgresConnection) async throws -> Cursor? {
        let statement = ReadLeasedCursor(group: group, topic: topic.name, partition: Int32(partition), workerID: workerID)
        if let (txID, id, attempts) = try await connection.rows(statement, logger: logger).first {
            return Cursor(txID: txID, id: id, attempts: Int(attempts))
        }
        return nil
    }

    /// The next messages after the cursor, in commit-safe order (by the xid8 `tx_id`, never its text:
    /// "10010" sorts before "9996"). Only transactions older than every running one (`tx_id < xmin` of
    /// the current snapshot) are handed out: such a transaction has ended, so no row can still appear
    /// before the cursor, whatever order transactions commit in. `blocked` says that committed rows
    /// beyond that point exist, so the caller looks again soon instead of waiting for a notification
    /// that has already come; `full` that the read stopped at `limit`.
    private func readBatch(partition: Int, after cursor: Cursor, limit: Int, on connection: PostgresConnection) async throws -> (rows: [Row], blocked: Bool, full: Bool) {
        var rows: [Row] = []
        var blocked = false
        var read = 0
        rows.reserveCapacity(limit)
        let statement = ReadOutboxBatch(
            topic: topic.name, partition: Int32(partition), afterTxID: cursor.txID, afterID: cursor.id, limit: Int64(limit)
        )
        for (id, txID, workspaceID, key, payload, createdAt, onlyGroup, safe) in try await connection.rows(statement, logger: logger) {
            read += 1
            // Ordered by tx_id, so the first unsafe row ends the safe prefix (read to the end, not
            // broken off, so the connection is left clean).
            guard safe, !blocked else {
                blocked = true
                continue
            }
            rows.append(Row(
                message: OutboxMessage(id: id, topic: topic.name, partition: partition, workspaceID: workspaceID, key: key, payload: payload, createdAt: createdAt),
                txID: txID, onlyGroup: onlyGroup
            ))
        }
        return (rows, blocked, read == limit)
    }

    private func advance(_ partition: Int, to row: Row, attempts: Int, error: String?, on connection: PostgresConnection) async throws {
        let statement = AdvanceCursor(
            txID: row.txID, id: row.message.id, attempts: Int32(attempts), error: error, group: group, topic: topic.name, partition: Int32(partition)
        )
        _ = try await connection.rows(statement, logger: logger)
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
