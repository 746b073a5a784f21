import Logging
import PostgresNIO

/// Identifier locks: events (and unmerges) that share an identifier are serialised, so two transactions
/// never plan against the same identifiers at once. One transaction-scoped advisory lock per identifier,
/// named by workspace, type and token.
///
/// A batch first takes what it can without waiting. When other transactions hold some of its
/// identifiers and at least half of its events come before the first that needs one, only those are
/// resolved now; the rest come again in the next batch. A worker's concurrent batches share identifiers
/// often (a person's anonymous and logged-in events are keyed to different partitions), and waiting whole
/// for each other left more than a fifth of the machine idle. Otherwise the batch gives back what it took
/// and waits for all of its identifiers in one global order. So a transaction waits for an identifier
/// only while it holds none or takes them in that order, and no two can wait for each other.
enum BatchLocks {
    /// Locks the identifiers of events given by their lock names, in order; returns how many leading
    /// events hold all of theirs: all of them, or (at least half) those before the first whose
    /// identifiers another transaction holds.
    static func take(_ namesOfEvent: [[String]], on connection: PostgresConnection, logger: Logger) async throws -> Int {
        let names = Array(Set(namesOfEvent.joined()))
        guard !names.isEmpty else { return namesOfEvent.count }
        try await connection.query("SAVEPOINT batch_locks", logger: logger)
        let busy = Set(try await connection.query(
            "SELECT k FROM unnest(\(names)::text[]) AS k WHERE NOT pg_try_advisory_xact_lock(hashtextextended(k, 0))",
            logger: logger
        ).decode(String.self).collectAll())
        let firstBlocked = busy.isEmpty ? nil : namesOfEvent.firstIndex { $0.contains(where: busy.contains) }
        // A short prefix is not worth it: the events left are read and opened again by the next batch.
        if firstBlocked.map({ $0 * 2 >= namesOfEvent.count }) ?? true {
            try await connection.query("RELEASE SAVEPOINT batch_locks", logger: logger)
            return firstBlocked ?? namesOfEvent.count
        }
        // Rolling back to the savepoint releases the locks taken since.
        try await connection.query("ROLLBACK TO SAVEPOINT batch_locks", logger: logger)
        try await wait(for: names, on: connection, logger: logger)
        return namesOfEvent.count
    }

    /// Waits for every named lock, in the one global order.
    static func wait(for names: [String], on connection: PostgresConnection, logger: Logger) async throws {
        guard !names.isEmpty else { return }
        try await connection.query(
            "SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) FROM (SELECT k FROM unnest(\(names)::text[]) AS k ORDER BY k) AS ordered",
            logger: logger
        )
    }
}
