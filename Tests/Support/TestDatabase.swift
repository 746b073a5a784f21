import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipService
import Logging
import PostgresNIO

/// The test cluster that `scripts/test` starts, reached through `KINSHIP_TEST_DATABASE_URL`.
public enum TestDatabase {
    public static let logger: Logger = {
        var logger = Logger(label: "kinship.tests")
        logger.logLevel = .warning
        return logger
    }()

    /// The pool's own logger: it warns when a lease races the pool's start, which is harmless here.
    static let quietLogger: Logger = {
        var logger = Logger(label: "kinship.tests.pool")
        logger.logLevel = .error
        return logger
    }()

    public static var url: DatabaseURL {
        guard let text = ProcessInfo.processInfo.environment["KINSHIP_TEST_DATABASE_URL"] else {
            fatalError("KINSHIP_TEST_DATABASE_URL is not set: run the tests with scripts/test, which starts the test cluster")
        }
        return try! DatabaseURL(parsing: text, variable: "KINSHIP_TEST_DATABASE_URL")
    }

    /// Runs `body` with a started pool on `url` (the shared, migrated test database by default).
    public static func withClient<T: Sendable>(
        _ url: DatabaseURL = TestDatabase.url,
        migrate: Bool = true,
        _ body: @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        try await url.withClient(logger: quietLogger) { client in
            if migrate { try await MigrationRunner().migrate(client, logger: logger) }
            return try await body(client)
        }
    }

    /// Creates an empty database for one test, and drops it afterwards.
    public static func withFreshDatabase<T: Sendable>(_ body: @Sendable (DatabaseURL) async throws -> T) async throws -> T {
        let name = "kinship_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try await withClient(migrate: false) { client in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        do {
            let result = try await body(url.with(database: name))
            try await drop(name)
            return result
        } catch {
            try? await drop(name)
            throw error
        }
    }

    /// Drops the database, trying again for a while: an autovacuum worker may be in it, and `WITH (FORCE)`
    /// may not end a process of another role (the superuser's), so the drop fails until the worker is done;
    /// after the shop test's writes a worker took over 2 s, so up to 30 s.
    private static func drop(_ name: String) async throws {
        try await withClient(migrate: false) { client in
            for attempt in 1... {
                do {
                    try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
                    return
                } catch where attempt < 300 {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
        }
    }
}
