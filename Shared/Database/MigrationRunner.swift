import KinshipCore
import KinshipPrivacy
import Logging
import PostgresNIO

/// Why migrating stopped.
public enum MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database has a migration this binary does not know: it was migrated by a newer release.
    case unknownMigration(version: Int)
    /// A migration this binary knows was applied with other contents: a released file was edited.
    case checksumMismatch(version: Int)

    public var description: String {
        switch self {
        case .unknownMigration(let version):
            "the database has migration \(version), which this binary does not know; run a release at least as new as the database"
        case .checksumMismatch(let version):
            "migration \(version) was applied with different contents; released migrations must never be edited"
        }
    }
}

/// Applies numbered migrations in order, each in its own transaction, recorded in `schema_migrations`.
///
/// A session-level advisory lock serialises runners, so several processes may start at once safely.
public struct MigrationRunner: Sendable {
    public let migrations: [Migration]
    /// Arbitrary but fixed: the advisory lock key all Kinship migration runners share.
    static let lockKey: Int64 = 0x6B696E_73686970

    public init(migrations: [Migration] = Migration.bundled) {
        self.migrations = migrations
    }

    /// Applies what is missing; returns the versions applied by this call.
    @discardableResult
    public func migrate(_ client: PostgresClient, logger: Logger) async throws -> [Int] {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
            do {
                let applied = try await apply(on: connection, logger: logger)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                return applied
            } catch {
                try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                throw error
            }
        }
    }

    private func apply(on connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            logger: logger
        )
        let recorded = try await Self.recorded(on: connection, logger: logger)
        try check(recorded)
        var appliedNow: [Int] = []
        for migration in migrations where recorded[migration.version] == nil {
            logger.info("applying migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            try await connection.withTransaction(logger: logger) { transaction in
                for statement in SQLScript.statements(in: migration.sql) {
                    try await transaction.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await transaction.query(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (\(migration.version), \(migration.name), \(migration.checksum))",
                    logger: logger
                )
            }
            appliedNow.append(migration.version)
        }
        return appliedNow
    }

    /// Refuses a database migrated by a newer binary, or one whose applied files were edited.
    func check(_ recorded: [Int: String]) throws {
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0.checksum) })
        for (version, checksum) in recorded.sorted(by: { $0.key < $1.key }) {
            guard let expected = known[version] else { throw MigrationError.unknownMigration(version: version) }
            guard expected == checksum else { throw MigrationError.checksumMismatch(version: version) }
        }
    }

    static func recorded(on connection: PostgresConnection, logger: Logger) async throws -> [Int: String] {
        var recorded: [Int: String] = [:]
        for try await (version, checksum) in try await connection.query(
            "SELECT version, checksum FROM schema_migrations", logger: logger
        ).decode((Int, String).self) {
            recorded[version] = checksum
        }
        return recorded
    }

    /// True when the database holds exactly the migrations of this binary (what `/readyz` reports).
    public func isCurrent(_ client: PostgresClient, logger: Logger) async throws -> Bool {
        try await client.withConnection { connection in
            let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger)
                .decode(Bool.self).first(where: { _ in true }) ?? false
            guard exists else { return false }
            let recorded = try await Self.recorded(on: connection, logger: logger)
            guard (try? check(recorded)) != nil else { return false }
            return Set(recorded.keys) == Set(migrations.map(\.version))
        }
    }
}
