/// Bounds how long a request waits for the database: a pool that cannot connect queues work
/// indefinitely, and a client deserves a prompt `503 database_unavailable` with `Retry-After` instead.
public enum DatabaseDeadline {
    /// Runs `body`, or throws `KinshipError.databaseUnavailable()` once `limit` has passed (cancelling it).
    public static func run<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else { throw KinshipError.databaseUnavailable() }
            return result
        }
    }
}
