import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import PostgresNIO

/// The reference: writing the answer alone. Every stream event's row of `event_profiles` (the profile the
/// one-worker run gave it) inserted again, as plainly as it can be done with one worker's shape.
struct ReferenceMeasure: Sendable {
    static let batchSize = 500
    static let connections = 4

    let rows: Int
    let duration: Duration

    var rowsPerSecond: Double { perSecond(rows, duration) }
}

extension IdentityBenchmark {
    /// Keeps each stream event's profile from the one-worker run, empties `event_profiles` (not timed),
    /// then times `INSERT INTO event_profiles` from those answers: 500 rows per transaction (the
    /// consumer's batch), on 4 connections (the partitions a worker processes at once), without waiting
    /// for the WAL flush (as the consumer commits). What every resolver has to write, with no reading,
    /// decrypting, locking or graph work: the floor of one worker's cost on this machine, now.
    func measureReference(_ bench: IdentityBenchWorkspace, rows: Int, _ database: PostgresClient) async throws -> ReferenceMeasure {
        let w = bench.workspaceID
        progress("reference: INSERT INTO event_profiles for the stream's \(rows) rows, \(ReferenceMeasure.batchSize) per transaction, "
            + "\(ReferenceMeasure.connections) connections")
        try await database.query("DROP TABLE IF EXISTS bench_identity_answers", logger: logger)
        try await database.query(
            """
            CREATE TABLE bench_identity_answers AS
            SELECT (row_number() OVER (ORDER BY received_at, message_id))::int AS n, received_at, message_id, profile_id, event_time
            FROM event_profiles WHERE workspace_id = \(w) AND starts_with(message_id, \(Self.streamPrefix))
            """,
            logger: logger
        )
        try await database.query("CREATE INDEX ON bench_identity_answers (n)", logger: logger)
        let answered = try await count("SELECT count(*)::int FROM bench_identity_answers", database)
        try await database.query("TRUNCATE event_profiles", logger: logger)
        try await database.query("VACUUM (ANALYZE) event_profiles, bench_identity_answers", logger: logger)
        await checkpoint(database)

        let (size, connections, logger) = (ReferenceMeasure.batchSize, ReferenceMeasure.connections, self.logger)
        let batches = (rows + size - 1) / size
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for connection in 0..<connections {
                group.addTask {
                    for batch in stride(from: connection, to: batches, by: connections) {
                        try await database.transaction(logger: logger) { transaction in
                            try await transaction.query("SET LOCAL synchronous_commit = off", logger: logger)
                            try await transaction.query(
                                """
                                INSERT INTO event_profiles (workspace_id, received_at, message_id, profile_id, event_time)
                                SELECT \(w), a.received_at, a.message_id, a.profile_id, a.event_time FROM bench_identity_answers a
                                WHERE a.n > \(batch * size) AND a.n <= \((batch + 1) * size)
                                """,
                                logger: logger
                            )
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let duration = ContinuousClock.now - start

        let written = try await count(
            "SELECT count(*)::int FROM event_profiles WHERE workspace_id = \(w) AND starts_with(message_id, \(Self.streamPrefix))",
            database
        )
        guard written == answered else {
            throw BenchFailure("the reference INSERT wrote \(written) events' profiles, where the one-worker run had given \(answered)")
        }
        let measure = ReferenceMeasure(rows: rows, duration: duration)
        progress("  \(Int(measure.rowsPerSecond)) rows/s")
        return measure
    }
}
