import KinshipCore
import KinshipDatabase
import PostgresNIO

extension OutboxConsumer {
    /// Registers this worker as alive, renews its leases, and takes or gives back partitions so each
    /// live worker of the group holds at most its fair share (⌈partitions / workers⌉). Returns the
    /// partitions this worker owns now.
    func heartbeat() async throws -> [Int] {
        let lease = options.leaseDuration.postgresInterval
        let partitionCount = topic.partitions
        return try await database.transaction(logger: logger) { connection in
            try await connection.query(
                """
                INSERT INTO outbox_workers (consumer_group, topic, worker_id, expires_at)
                VALUES (\(group), \(topic.name), \(workerID), now() + \(lease)::interval)
                ON CONFLICT (consumer_group, topic, worker_id) DO UPDATE SET expires_at = excluded.expires_at
                """,
                logger: logger
            )
            try await connection.query(
                "DELETE FROM outbox_workers WHERE consumer_group = \(group) AND topic = \(topic.name) AND expires_at < now()",
                logger: logger
            )
            let workers = try await connection.query(
                "SELECT count(*)::int FROM outbox_workers WHERE consumer_group = \(group) AND topic = \(topic.name)",
                logger: logger
            ).decode(Int.self).first(where: { _ in true }) ?? 1
            let share = (partitionCount + max(workers, 1) - 1) / max(workers, 1)

            try await connection.query(
                """
                INSERT INTO outbox_leases (consumer_group, topic, partition)
                SELECT \(group), \(topic.name), p FROM generate_series(0, \(partitionCount - 1)) AS p
                ON CONFLICT DO NOTHING
                """,
                logger: logger
            )
            var owned = try await connection.query(
                """
                UPDATE outbox_leases SET expires_at = now() + \(lease)::interval
                WHERE consumer_group = \(group) AND topic = \(topic.name) AND owner = \(workerID)
                RETURNING partition
                """,
                logger: logger
            ).decode(Int.self).collectAll().sorted()

            if owned.count > share {
                let extra = Array(owned.suffix(owned.count - share)).map(Int32.init)
                // A batch of this worker may still run on one of them: the next owner's batch waits for it
                // on the partition's advisory lock (see lockPartition), so giving the lease back now is safe.
                try await connection.query(
                    """
                    UPDATE outbox_leases SET owner = NULL, expires_at = '-infinity'
                    WHERE consumer_group = \(group) AND topic = \(topic.name) AND owner = \(workerID) AND partition = ANY(\(extra))
                    """,
                    logger: logger
                )
                owned.removeLast(owned.count - share)
            } else if owned.count < share {
                // Free or expired leases only; SKIP LOCKED keeps two claiming workers off each other's rows.
                // MATERIALIZED: as `IN (subquery)` the planner may re-run the LIMIT per row and claim too many.
                let claimed = try await connection.query(
                    """
                    WITH claim AS MATERIALIZED (
                        SELECT partition FROM outbox_leases
                        WHERE consumer_group = \(group) AND topic = \(topic.name) AND (owner IS NULL OR expires_at < now())
                        ORDER BY partition LIMIT \(share - owned.count) FOR UPDATE SKIP LOCKED
                    )
                    UPDATE outbox_leases l SET owner = \(workerID), expires_at = now() + \(lease)::interval
                    FROM claim
                    WHERE l.consumer_group = \(group) AND l.topic = \(topic.name) AND l.partition = claim.partition
                    RETURNING l.partition
                    """,
                    logger: logger
                ).decode(Int.self).collectAll()
                owned = (owned + claimed).sorted()
            }
            return owned
        }
    }

    /// Gives every lease back at shutdown so the other workers take them over at once, not after expiry.
    func releaseLeases() async throws {
        try await database.transaction(logger: logger) { connection in
            try await connection.query(
                "UPDATE outbox_leases SET owner = NULL, expires_at = '-infinity' WHERE consumer_group = \(group) AND topic = \(topic.name) AND owner = \(workerID)",
                logger: logger
            )
            try await connection.query(
                "DELETE FROM outbox_workers WHERE consumer_group = \(group) AND topic = \(topic.name) AND worker_id = \(workerID)",
                logger: logger
            )
        }
    }
}

extension Duration {
    /// As a Postgres interval literal, to bind and cast with `::interval`.
    var postgresInterval: String {
        "\(components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000) milliseconds"
    }
}
