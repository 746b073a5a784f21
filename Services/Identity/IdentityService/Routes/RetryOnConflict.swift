import PostgresNIO

/// Runs an operator's transaction again when Postgres broke a deadlock or a serialisation conflict by
/// aborting it (an event resolving at the same moment holds the other lock); the second try usually wins.
enum RetryOnConflict {
    static func run<T: Sendable>(attempts: Int = 3, _ body: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch let error as PSQLError where attempt < attempts && ["40P01", "40001"].contains(error.serverInfo?[.sqlState]) {
                attempt += 1
                try await Task.sleep(for: .milliseconds(20 * attempt))
            }
        }
    }
}
