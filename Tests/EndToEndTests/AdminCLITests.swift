import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipTestSupport
import PostgresNIO
import Testing

/// Runs the built `kinship` CLI as a process, as `scripts/run` and operators do.
struct AdminCLITests {
    func environment(_ url: DatabaseURL) -> [String: String] { TestKeys.environment(url: url) }

    @Test func migratesFromTwoProcessesAtOnceAndIssuesKeysThatAuthenticate() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let env = environment(url)
            async let first = ChildProcess.run(built: "kinship", ["migrate"], environment: env)
            async let second = ChildProcess.run(built: "kinship", ["migrate"], environment: env)
            let results = try await [first, second]
            #expect(results.map(\.status) == [0, 0], "\(results.map(\.error))")
            #expect(results.filter { $0.output.contains("applied migrations") }.count == 1, "\(results.map(\.output))")
            let again = try await ChildProcess.run(built: "kinship", ["migrate"], environment: env)
            #expect(again.output.contains("up to date"))

            let created = try await ChildProcess.run(built: "kinship", ["workspaces", "create", "shop"], environment: env)
            #expect(created.status == 0, "\(created.error)")
            #expect(UUID(uuidString: created.output.trimmingCharacters(in: .whitespacesAndNewlines)) != nil)
            let duplicate = try await ChildProcess.run(built: "kinship", ["workspaces", "create", "shop"], environment: env)
            #expect(duplicate.status != 0 && duplicate.error.contains("exists already"))
            let idempotent = try await ChildProcess.run(built: "kinship", ["workspaces", "create", "shop", "--if-missing"], environment: env)
            #expect(idempotent.status == 0 && idempotent.output == created.output)

            let source = try await ChildProcess.run(built: "kinship", ["sources", "create", "--workspace", "shop", "--name", "web", "--kind", "server"], environment: env)
            let writeKey = source.output.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(source.status == 0 && writeKey.hasPrefix("wk_"), "\(source.error)")
            let apiKey = try await ChildProcess.run(built: "kinship", ["keys", "create", "--workspace", "shop", "--role", "admin"], environment: env)
            let secret = apiKey.output.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(apiKey.status == 0 && secret.hasPrefix("ka_"))
            let badRole = try await ChildProcess.run(built: "kinship", ["keys", "create", "--workspace", "shop", "--role", "root"], environment: env)
            #expect(badRole.status != 0)

            let list = try await ChildProcess.run(built: "kinship", ["workspaces", "list"], environment: env)
            #expect(list.output.contains("shop"))

            let (sourceName, role) = try await TestDatabase.withClient(url) { client in
                let tenancy = TenancyStore(database: client, keyring: TestKeys.keyring, logger: TestDatabase.logger)
                return (try await tenancy.source(forWriteKey: writeKey)?.name, try await tenancy.apiKey(forSecret: secret)?.role)
            }
            #expect(sourceName == "web")
            #expect(role == .admin)
        }
    }

    @Test func outboxCommandsShowStatusAndValidateReplay() async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url) { client in
                try await client.query(
                    "INSERT INTO outbox_cursors (consumer_group, topic, partition) VALUES ('identity', 'event.ingested', 3)",
                    logger: TestDatabase.logger
                )
            }
            let status = try await ChildProcess.run(built: "kinship", ["outbox", "status"], environment: environment(url))
            #expect(status.status == 0, "\(status.error)")
            #expect(status.output.contains("GROUP") && status.output.contains("identity") && status.output.contains("event.ingested"))
            let letters = try await ChildProcess.run(built: "kinship", ["outbox", "dead-letters"], environment: environment(url))
            #expect(letters.status == 0 && letters.output.hasPrefix("ID"))
            let ambiguous = try await ChildProcess.run(built: "kinship", ["outbox", "replay", "--group", "identity"], environment: environment(url))
            #expect(ambiguous.status != 0)
            let none = try await ChildProcess.run(built: "kinship", ["outbox", "replay", "--group", "identity", "--all"], environment: environment(url))
            #expect(none.status == 0 && none.output.contains("replayed 0"))
        }
    }

    @Test func rejectedEventsAreListedWithTheirWorkspaceAndSourceByName() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let source = try await TestDatabase.withClient(url) { client in
                let tenancy = TenancyStore(database: client, keyring: TestKeys.keyring, logger: TestDatabase.logger)
                let source = try await tenancy.createSource(in: try await tenancy.createWorkspace(name: "shop", actor: "test"), name: "pos", actor: "test").owner
                try await client.query(
                    """
                    INSERT INTO events (workspace_id, received_at, message_id, source_id, type, event_time, message)
                    VALUES (\(source.workspaceID), '2025-01-02T03:04:05Z', 'm-stored', \(source.id), 'track', now(), '{}')
                    """,
                    logger: TestDatabase.logger
                )
                try await client.query(
                    """
                    INSERT INTO event_rejections (consumer_group, workspace_id, received_at, message_id, reason, rejected_at)
                    VALUES ('identity', \(source.workspaceID), '2025-01-02T03:04:05Z', 'm-stored', 'unreadable', now()),
                           ('identity', \(source.workspaceID), '2025-01-02T03:04:05Z', 'm-gone', 'unreadable', now() - interval '1 minute')
                    """,
                    logger: TestDatabase.logger
                )
                return source
            }
            let rejected = try await ChildProcess.run(built: "kinship", ["outbox", "rejected"], environment: environment(url))
            #expect(rejected.status == 0, "\(rejected.error)")
            let rows = rejected.output.split(separator: "\n").map { $0.split(separator: " ").prefix(4).map(String.init) }
            #expect(rows == [
                ["GROUP", "WORKSPACE", "SOURCE", "MESSAGE_ID"], ["identity", "shop", "pos", "m-stored"], ["identity", "shop", "-", "m-gone"],
            ], "\(rejected.output)")
            #expect(!rejected.output.contains(source.id.uuidString.lowercased()) && !rejected.output.contains(source.workspaceID.uuidString.lowercased()))
        }
    }

    @Test func migrateRefusesADatabaseFromANewerRelease() async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url) { client in
                try await client.query("INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, 'future', 'x')", logger: TestDatabase.logger)
            }
            let result = try await ChildProcess.run(built: "kinship", ["migrate"], environment: environment(url))
            #expect(result.status != 0)
            #expect(result.error.contains("migration 9999"), "\(result.error)")
        }
    }
}
