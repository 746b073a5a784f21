import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import PostgresNIO

extension OutboxBenchmark {
    /// Writes the same rows twice in same-sized transactions: first with a plain `INSERT … unnest` into a
    /// copy of `outbox`, then with `Outbox.append`. Returns both durations; leaves the appended rows for
    /// the consumers.
    func measureProducing(_ database: PostgresClient) async throws -> (reference: Duration, produce: Duration) {
        let batches = makeBatches()
        let logger = self.logger
        let insertReference: @Sendable ([OutboxDraft], PostgresConnection) async throws -> Void = { drafts, connection in
            // The same arrays and the same statement shape as `Outbox.append`, without NOTIFY.
            let topics = drafts.map(\.topic.name)
            let partitions = drafts.map { Int32($0.topic.partition(for: $0.key)) }
            let workspaces = drafts.map(\.workspaceID)
            let keys = drafts.map(\.key)
            let payloads = drafts.map(\.payload)
            try await connection.query(
                """
                INSERT INTO bench_insert_reference (topic, partition, workspace_id, key, payload)
                SELECT * FROM unnest(\(topics)::text[], \(partitions)::int[], \(workspaces)::uuid[], \(keys)::text[], \(payloads)::jsonb[])
                """,
                logger: logger
            )
        }

        // Untimed: a fresh cluster creates its WAL files as it first writes, and later writes recycle
        // them; without this pass the first measure would pay for that and the second would not.
        progress("warm-up: plain INSERT of \(configuration.messages) rows, not timed")
        let warmUp = try await timeTransactions(batches, database, insertReference)
        progress("  \(Int(perSecond(configuration.messages, warmUp))) msgs/s")
        try await database.query(PostgresQuery(unsafeSQL: "TRUNCATE \(Self.referenceTable)"), logger: logger)
        await checkpoint(database)

        progress("reference: plain INSERT of \(configuration.messages) rows")
        let reference = try await timeTransactions(batches, database, insertReference)
        try await expectCount(Self.referenceTable, database)
        progress("  \(Int(perSecond(configuration.messages, reference))) msgs/s")

        progress("produce: Outbox.append of \(configuration.messages) messages")
        try await resetOutbox(database)
        await checkpoint(database)
        let produce = try await timeTransactions(batches, database) { drafts, connection in
            try await Outbox.append(drafts, on: connection, logger: logger)
        }
        try await expectCount("outbox", database)
        progress("  \(Int(perSecond(configuration.messages, produce))) msgs/s")

        // The planner statistics autovacuum would have gathered by now on a live system.
        try await database.query("ANALYZE outbox", logger: logger)
        try await database.query(PostgresQuery(unsafeSQL: "TRUNCATE \(Self.referenceTable)"), logger: logger)
        return (reference, produce)
    }

    /// The messages in transaction-sized batches, made before any clock starts.
    private func makeBatches() -> [[OutboxDraft]] {
        let c = configuration
        return stride(from: 0, to: c.messages, by: c.transactionSize).map { first in
            (first..<min(first + c.transactionSize, c.messages)).map { n in
                OutboxDraft(topic: Self.topic, workspaceID: workspaceID, key: Self.key(n), payload: Self.payload(n, bytes: c.payloadBytes))
            }
        }
    }

    /// Runs `write` for every batch, each in its own transaction, spread over the producers; returns the wall time.
    private func timeTransactions(
        _ batches: [[OutboxDraft]], _ database: PostgresClient,
        _ write: @escaping @Sendable ([OutboxDraft], PostgresConnection) async throws -> Void
    ) async throws -> Duration {
        let producers = configuration.producers
        let logger = self.logger
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for producer in 0..<producers {
                group.addTask {
                    for index in stride(from: producer, to: batches.count, by: producers) {
                        try await database.transaction(logger: logger) { connection in
                            try await write(batches[index], connection)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        return .now - start
    }

    private func expectCount(_ table: String, _ database: PostgresClient) async throws {
        let rows = try await count(table, database)
        guard rows == configuration.messages else {
            throw BenchFailure("\(table) holds \(rows) rows after writing \(configuration.messages)")
        }
    }
}
