import Foundation
import KinshipTestSupport
import PostgresNIO
import Testing
import KinshipCore
import KinshipPrivacy
import KinshipDatabase
import KinshipOutbox
import KinshipService

struct MigrationTests {
    let logger = TestDatabase.logger

    func appliedVersions(_ client: PostgresClient) async throws -> [Int] {
        try await client.query("SELECT version FROM schema_migrations ORDER BY version", logger: logger)
            .decode(Int.self).collectAll()
    }

    func tables(_ client: PostgresClient) async throws -> Set<String> {
        Set(try await client.query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'", logger: logger
        ).decode(String.self).collectAll())
    }

    @Test func appliesFromEmptyAndCreatesTheSchema() async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url, migrate: false) { client in
                #expect(try await !MigrationRunner().isCurrent(client, logger: logger))
                let applied = try await MigrationRunner().migrate(client, logger: logger)
                #expect(applied == Migration.bundled.map(\.version))
                #expect(try await appliedVersions(client) == Migration.bundled.map(\.version))
                #expect(try await MigrationRunner().isCurrent(client, logger: logger))
                let tables = try await tables(client)
                for table in ["workspaces", "sources", "api_keys", "events", "events_default", "event_profiles", "event_profiles_default", "event_message_ids", "outbox",
                              "outbox_cursors", "identities", "profiles", "segments", "memberships", "failed_events",
                              "segment_profiles", "segment_versions", "consent_facts", "privacy_requests", "audit_log", "schema_migrations"] {
                    #expect(tables.contains(table), "missing table \(table)")
                }
                // This month's partition and three ahead exist.
                #expect(tables.filter { $0.hasPrefix("events_2") }.count == 4)
                #expect(tables.filter { $0.hasPrefix("event_profiles_2") }.count == 4)
            }
        }
    }

    @Test func applyingTwiceChangesNothing() async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url, migrate: false) { client in
                try await MigrationRunner().migrate(client, logger: logger)
                let again = try await MigrationRunner().migrate(client, logger: logger)
                #expect(again.isEmpty)
                #expect(try await appliedVersions(client) == Migration.bundled.map(\.version))
                let created = try await client.query("SELECT kinship_ensure_event_partitions()", logger: logger).decode(Int.self).collectAll()
                #expect(created == [0])
            }
        }
    }

    /// 0007 moved each event's profile out of `events` (append-only again) into `event_profiles`.
    @Test func resolvedEventsKeepTheirProfileAcross0007() async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url, migrate: false) { client in
                try await MigrationRunner(migrations: Migration.bundled.filter { $0.version < 7 }).migrate(client, logger: logger)
                let (workspace, profile) = (UUID(), UUID())
                try await client.query(
                    """
                    INSERT INTO events (workspace_id, received_at, message_id, source_id, type, event_time, profile_id, message)
                    VALUES (\(workspace), '2026-01-05T10:00:00Z', 'resolved', \(UUID()), 'track', '2026-01-05T09:59:00Z', \(profile), '{}'),
                           (\(workspace), now(), 'pending', \(UUID()), 'track', now(), NULL, '{}')
                    """,
                    logger: logger
                )
                #expect(try await MigrationRunner().migrate(client, logger: logger).contains(7))
                let rows = try await client.query(
                    "SELECT message_id, profile_id, event_time = '2026-01-05T09:59:00Z' FROM event_profiles WHERE workspace_id = \(workspace)",
                    logger: logger
                ).decode((String, UUID, Bool).self).collectAll()
                #expect(rows.count == 1)
                #expect(rows.first?.0 == "resolved" && rows.first?.1 == profile && rows.first?.2 == true)
                let columns = try await client.query(
                    "SELECT count(*)::int FROM information_schema.columns WHERE table_name = 'events' AND column_name = 'profile_id'", logger: logger
                ).decode(Int.self).collectAll()
                #expect(columns == [0], "events no longer carry a profile")
            }
        }
    }

    /// 0019 copies each resolved track event's name beside its profile; other types keep none.
    @Test func resolvedTrackEventsGetTheirNameIn0019() async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url, migrate: false) { client in
                try await MigrationRunner(migrations: Migration.bundled.filter { $0.version < 19 }).migrate(client, logger: logger)
                let (workspace, profile) = (UUID(), UUID())
                try await client.query(
                    """
                    INSERT INTO events (workspace_id, received_at, message_id, source_id, type, event, event_time, message)
                    VALUES (\(workspace), '2026-01-05T10:00:00Z', 'order', \(UUID()), 'track', 'Order Completed', '2026-01-05T09:59:00Z', '{}'),
                           (\(workspace), '2026-01-05T10:00:00Z', 'visit', \(UUID()), 'page', 'Order Completed', '2026-01-05T09:59:00Z', '{}')
                    """,
                    logger: logger
                )
                try await client.query(
                    """
                    INSERT INTO event_profiles (workspace_id, received_at, message_id, profile_id, event_time)
                    VALUES (\(workspace), '2026-01-05T10:00:00Z', 'order', \(profile), '2026-01-05T09:59:00Z'),
                           (\(workspace), '2026-01-05T10:00:00Z', 'visit', \(profile), '2026-01-05T09:59:00Z')
                    """,
                    logger: logger
                )
                #expect(try await MigrationRunner().migrate(client, logger: logger).contains(19))
                let rows = try await client.query(
                    "SELECT message_id, track_event FROM event_profiles WHERE workspace_id = \(workspace) ORDER BY message_id",
                    logger: logger
                ).decode((String, String?).self).collectAll()
                #expect(rows.map(\.0) == ["order", "visit"])
                #expect(rows.map(\.1) == ["Order Completed", nil])
            }
        }
    }

    /// 0008 stores each profile's identifier counts and merge count, counted from what is there.
    @Test func profilesGetTheirCountsIn0008() async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url, migrate: false) { client in
                try await MigrationRunner(migrations: Migration.bundled.filter { $0.version < 8 }).migrate(client, logger: logger)
                let (workspace, kept, absorbed) = (UUID(), UUID(), UUID())
                try await client.query(
                    "INSERT INTO workspaces (id, name, data_key, index_key) VALUES (\(workspace), 'counts', '\\x00', '\\x00')", logger: logger
                )
                try await client.query(
                    """
                    INSERT INTO profiles (workspace_id, id, data_key) VALUES (\(workspace), \(kept), '\\x00'), (\(workspace), \(absorbed), '\\x00')
                    """,
                    logger: logger
                )
                try await client.query(
                    """
                    INSERT INTO identities (workspace_id, type, token, value_sealed, profile_id)
                    VALUES (\(workspace), 'email', '\\x01', '\\x00', \(kept)), (\(workspace), 'anonymous_id', '\\x02', '\\x00', \(kept)),
                           (\(workspace), 'anonymous_id', '\\x03', '\\x00', \(kept))
                    """,
                    logger: logger
                )
                try await client.query(
                    "INSERT INTO profile_merges (workspace_id, into_profile, from_profile, message_id, rule_version) VALUES (\(workspace), \(kept), \(absorbed), 'm', 1)",
                    logger: logger
                )
                #expect(try await MigrationRunner().migrate(client, logger: logger).contains(8))
                let rows = try await client.query(
                    "SELECT id, identity_counts::text, merge_count FROM profiles WHERE workspace_id = \(workspace) ORDER BY id = \(kept) DESC",
                    logger: logger
                ).decode((UUID, String, Int).self).collectAll()
                #expect(rows.map(\.1) == [#"{"email": 1, "anonymous_id": 2}"#, "{}"])
                #expect(rows.map(\.2) == [1, 0])
            }
        }
    }

    @Test func concurrentRunnersApplyEachMigrationOnce() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let results = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await TestDatabase.withClient(url, migrate: false) { client in
                            try await MigrationRunner().migrate(client, logger: logger)
                        }
                    }
                }
                return try await group.reduce(into: [[Int]]()) { $0.append($1) }
            }
            #expect(results.flatMap { $0 }.sorted() == Migration.bundled.map(\.version))
            let versions = try await TestDatabase.withClient(url, migrate: false) { try await appliedVersions($0) }
            #expect(versions == Migration.bundled.map(\.version))
        }
    }

    @Test func refusesADatabaseFromANewerRelease() async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url, migrate: true) { client in
                try await client.query("INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, 'future', 'x')", logger: logger)
                await #expect(throws: MigrationError.unknownMigration(version: 9999)) {
                    try await MigrationRunner().migrate(client, logger: logger)
                }
                #expect(try await !MigrationRunner().isCurrent(client, logger: logger))
            }
        }
    }

    @Test func refusesAnEditedMigration() async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url, migrate: true) { client in
                try await client.query("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1", logger: logger)
                await #expect(throws: MigrationError.checksumMismatch(version: 1)) {
                    try await MigrationRunner().migrate(client, logger: logger)
                }
            }
        }
    }

    @Test func aFailingMigrationLeavesNothingBehind() async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url, migrate: false) { client in
                let broken = MigrationRunner(migrations: [
                    Migration(version: 1, name: "half", sql: "CREATE TABLE half_done (x int); SELECT * FROM no_such_table;"),
                ])
                await #expect(throws: (any Error).self) { try await broken.migrate(client, logger: logger) }
                let tables = try await tables(client)
                let versions = try await appliedVersions(client)
                #expect(!tables.contains("half_done"))
                #expect(versions.isEmpty)
            }
        }
    }
}
