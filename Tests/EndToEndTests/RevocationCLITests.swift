import Foundation
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import KinshipTestSupport
import PostgresNIO
import Testing

/// Listing, disabling, enabling and rotating sources and revoking API keys with the built `kinship` CLI,
/// as operators do, against a real database and a real `ingestion` process.
struct RevocationCLITests {
    func kinship(_ arguments: String..., environment: [String: String]) async throws -> CompletedProcess {
        try await ChildProcess.run(built: "kinship", arguments, environment: environment)
    }

    func line(_ result: CompletedProcess) -> String { result.output.trimmingCharacters(in: .whitespacesAndNewlines) }

    @Test func sourcesAndKeysAreListedDisabledRotatedAndRevokedWithoutSQL() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let env = TestKeys.environment(url: url)
            #expect(try await kinship("migrate", environment: env).status == 0)
            let created = try await kinship("workspaces", "create", "shop", environment: env)
            #expect(created.status == 0)
            let shopID = line(created)
            let webKey = line(try await kinship("sources", "create", "--workspace", "shop", "--name", "web", "--kind", "browser", environment: env))
            let posKey = line(try await kinship("sources", "create", "--workspace", "shop", "--name", "pos", "--kind", "server", environment: env))
            let opsKey = line(try await kinship("keys", "create", "--workspace", "shop", "--role", "admin", "--name", "ops", environment: env))
            let viewer1 = line(try await kinship("keys", "create", "--workspace", "shop", "--role", "viewer", environment: env))
            let viewer2 = line(try await kinship("keys", "create", "--workspace", "shop", "--role", "viewer", environment: env))
            #expect(webKey.hasPrefix("wk_") && opsKey.hasPrefix("ka_"))

            func lookUp(_ writeKey: String) async throws -> String? {
                try await TestDatabase.withClient(url) { client in
                    try await TenancyStore(database: client, keyring: TestKeys.keyring, logger: TestDatabase.logger).source(forWriteKey: writeKey)?.name
                }
            }
            func role(_ secret: String) async throws -> APIRole? {
                try await TestDatabase.withClient(url) { client in
                    try await TenancyStore(database: client, keyring: TestKeys.keyring, logger: TestDatabase.logger).apiKey(forSecret: secret)?.role
                }
            }

            let listed = try await kinship("sources", "list", "--workspace", "shop", environment: env)
            #expect(listed.status == 0, "\(listed.error)")
            let rows = listed.output.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            #expect(rows.first == ["NAME", "KIND", "ID", "CREATED", "DISABLED"])
            #expect(rows.dropFirst().map { [$0[0], $0[1], $0.last!] } == [["pos", "server", "-"], ["web", "browser", "-"]])
            #expect(!listed.output.contains(webKey) && !listed.output.contains(posKey), "a write key was listed")
            let listedByID = try await kinship("sources", "list", "--workspace", shopID.uppercased(), environment: env)
            #expect(listedByID.status == 0 && listedByID.output == listed.output, "by id: \(listedByID.output) \(listedByID.error)")
            let unknown = try await kinship("sources", "list", "--workspace", "no-such-shop", environment: env)
            #expect(unknown.status != 0 && unknown.error.contains("No workspace is named 'no-such-shop'"), "\(unknown.error)")

            let disabled = try await kinship("sources", "disable", "--workspace", shopID, "--name", "web", environment: env)
            #expect(disabled.status == 0 && disabled.output.contains("source 'web' in workspace 'shop' is now disabled"), "\(disabled.output) \(disabled.error)")
            #expect(try await lookUp(webKey) == nil)
            #expect(try await lookUp(posKey) == "pos")
            let listedAgain = try await kinship("sources", "list", "--workspace", "shop", environment: env)
            #expect(listedAgain.output.split(separator: "\n").last.map { $0.hasPrefix("web") && !$0.hasSuffix("-") } == true, "\(listedAgain.output)")
            #expect(try await kinship("sources", "disable", "--workspace", "shop", "--name", "web", environment: env).output.contains("already disabled"))
            let missing = try await kinship("sources", "disable", "--workspace", "shop", "--name", "app", environment: env)
            #expect(missing.status != 0 && missing.error.contains("no source named 'app'"), "\(missing.error)")

            let enabled = try await kinship("sources", "enable", "--workspace", "shop", "--name", "web", environment: env)
            #expect(enabled.status == 0 && enabled.output.contains("now enabled"))
            #expect(try await lookUp(webKey) == "web")

            let rotated = try await kinship("sources", "rotate", "--workspace", "shop", "--name", "web", environment: env)
            let newKey = line(rotated)
            #expect(rotated.status == 0 && newKey.hasPrefix("wk_") && newKey != webKey, "\(rotated.error)")
            #expect(try await lookUp(webKey) == nil)
            #expect(try await lookUp(newKey) == "web")

            let keys = try await kinship("keys", "list", "--workspace", "shop", environment: env)
            #expect(keys.status == 0 && keys.output.hasPrefix("NAME") && keys.output.contains("ops") && keys.output.contains("viewer"))
            #expect(try await kinship("keys", "list", "--workspace", shopID, environment: env).output == keys.output)
            #expect(![opsKey, viewer1, viewer2].contains { keys.output.contains($0) }, "an API key was listed")
            let revoked = try await kinship("keys", "revoke", "--workspace", "shop", "--name", "ops", environment: env)
            #expect(revoked.status == 0 && revoked.output.contains("now revoked"), "\(revoked.error)")
            #expect(try await role(opsKey) == nil)
            let ambiguous = try await kinship("keys", "revoke", "--workspace", "shop", "--name", "default", environment: env)
            #expect(ambiguous.status != 0 && ambiguous.error.contains("ambiguous_key_name"), "\(ambiguous.error)")
            #expect(try await role(viewer1) == .viewer)
            #expect(try await role(viewer2) == .viewer)
            let viewer1ID = try await TestDatabase.withClient(url) { client in
                try await client.query("SELECT id FROM api_keys WHERE key_hash = \(SecretToken.hash(viewer1))", logger: TestDatabase.logger)
                    .decode(UUID.self).collectAll().first!
            }
            let byID = try await kinship("keys", "revoke", "--workspace", shopID, "--id", viewer1ID.lowercased, environment: env)
            #expect(byID.status == 0 && byID.output.contains("in workspace 'shop' is now revoked"), "\(byID.output) \(byID.error)")
            #expect(try await role(viewer1) == nil)
            #expect(try await role(viewer2) == .viewer)
            #expect(try await kinship("keys", "revoke", "--workspace", "shop", "--name", "x", "--id", viewer1ID.lowercased, environment: env).status != 0)

            let audit = try await TestDatabase.withClient(url) { client in
                try await client.query("SELECT action FROM audit_log ORDER BY id", logger: TestDatabase.logger).decode(String.self).collectAll()
            }
            #expect(audit.filter { !$0.hasSuffix(".created") } == [
                "source.disabled", "source.enabled", "source.rotated", "api_key.revoked", "api_key.revoked",
            ])
        }
    }

    @Test func aRunningIngestionProcessRefusesADisabledOrRotatedKeyOnceItsCacheLifetimeHasPassed() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let (workspace, writeKey) = try await TestDatabase.withClient(url) { try await makeSource(on: $0) }
            var env = TestKeys.environment(url: url)
            env["KINSHIP_WRITE_KEY_CACHE_SECONDS"] = "1"
            let server = try IngestionProcess(environment: env, port: freePort())
            try await server.process.waitUntilReady(server.url + "/readyz")
            let lifetime = Duration.seconds(1)
            var sent = 0
            func send(_ key: String) async throws -> UInt {
                sent += 1
                return try await server.postBatch([["type": "track", "userId": "u-\(sent)", "event": "Checked", "messageId": "m-\(sent)"]], writeKey: key).status
            }

            #expect(try await send(writeKey) == 200)
            #expect(try await kinship("sources", "disable", "--workspace", workspace.name, "--name", "web", environment: env).status == 0)
            try await Task.sleep(for: lifetime + .milliseconds(200))
            #expect(try await send(writeKey) == 401, "a disabled source's key still worked after the cache lifetime")

            #expect(try await kinship("sources", "enable", "--workspace", workspace.name, "--name", "web", environment: env).status == 0)
            try await Task.sleep(for: lifetime + .milliseconds(200))
            #expect(try await send(writeKey) == 200, "an enabled source's key was still refused after the cache lifetime")

            let rotated = try await kinship("sources", "rotate", "--workspace", workspace.name, "--name", "web", environment: env)
            let newKey = line(rotated)
            #expect(rotated.status == 0 && newKey.hasPrefix("wk_"))
            try await Task.sleep(for: lifetime + .milliseconds(200))
            #expect(try await send(writeKey) == 401, "a rotated-away key still worked after the cache lifetime")
            #expect(try await send(newKey) == 200)

            let status = await server.process.stop()
            #expect(status == 0, "exit status \(String(describing: status)); stderr: \(server.process.standardError)")
        }
    }
}
