import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipTestSupport
import PostgresNIO
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real `ingestion`, `identity` and `kinship` executables on one database: events in over HTTP,
/// profiles out, an operator fixing one from the command line, and a worker killed mid-stream.
@Suite(.serialized) struct IdentityProcessTests {
    /// Runs `body` with a fresh database, a workspace with a source, and the `ingestion` executable ready on it.
    func withIngestion(
        _ body: @Sendable (DatabaseURL, PostgresClient, Workspace, String, [String: String], IngestionProcess) async throws -> Void
    ) async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url) { database in
                let (workspace, writeKey) = try await makeSource(on: database)
                let environment = TestKeys.environment(url: url)
                let ingestion = try IngestionProcess(environment: environment, port: freePort())
                try await ingestion.process.waitUntilReady(ingestion.url + "/readyz")
                try await body(url, database, workspace, writeKey, environment, ingestion)
            }
        }
    }

    /// Starts `identity` on a free port and waits until it is ready.
    func startIdentity(_ environment: [String: String], port: Int) async throws -> ChildProcess {
        var environment = environment
        environment["KINSHIP_IDENTITY_PORT"] = String(port)
        let process = try ChildProcess(built: "identity", environment: environment)
        try await process.waitUntilReady("http://127.0.0.1:\(port)/readyz")
        return process
    }

    func resolvedEvents(_ workspace: Workspace, _ database: PostgresClient) async throws -> (resolved: Int, total: Int) {
        try await database.query(
            """
            SELECT count(p.profile_id)::int, count(*)::int FROM events e
            LEFT JOIN event_profiles p ON p.workspace_id = e.workspace_id AND p.received_at = e.received_at AND p.message_id = e.message_id
            WHERE e.workspace_id = \(workspace.id)
            """,
            logger: TestDatabase.logger
        ).decode((Int, Int).self).first(where: { _ in true }) ?? (0, 0)
    }

    func waitUntilResolved(_ workspace: Workspace, _ database: PostgresClient, total: Int) async throws -> Bool {
        try await poll(timeout: .seconds(60), every: .milliseconds(100)) {
            let counts = try await resolvedEvents(workspace, database)
            return counts.total == total && counts.resolved == total
        }
    }

    @Test func identityResolvesWhatIngestionStoredAndTheCLIShowsAndUnmergesIt() async throws {
        try await withIngestion { url, database, workspace, writeKey, environment, ingestion in
            let identityPort = freePort()
            let identity = try await startIdentity(environment, port: identityPort)
            defer { identity.signal(SIGKILL) }

            let answer = try await ingestion.postBatch([
                ["type": "identify", "anonymousId": "kiosk-7", "userId": "member-1", "traits": ["email": "Pim@Example.com", "city": "Phuket"]],
                ["type": "identify", "anonymousId": "kiosk-7", "traits": ["email": "walk-in@example.com"]],
                ["type": "track", "userId": "member-1", "event": "Order Completed", "properties": ["total": 990]],
            ], writeKey: writeKey)
            #expect(answer.status == 200, "\(answer.body)")
            #expect(try await waitUntilResolved(workspace, database, total: 3), "identity never resolved the events")

            var cli = environment
            cli["KINSHIP_IDENTITY_URL"] = "http://127.0.0.1:\(identityPort)"
            let ws = workspace.id.uuidString
            let sourceID = try await database.query(
                "SELECT id FROM sources WHERE workspace_id = \(workspace.id) AND name = 'web'", logger: TestDatabase.logger
            ).decode(UUID.self).collectAll().first!.uuidString.lowercased()
            let shown = try await ChildProcess.run(
                built: "kinship", ["profiles", "show", "--workspace", workspace.name, "--email", " pim@example.com"], environment: cli
            )
            #expect(shown.status == 0, "\(shown.error)")
            #expect(shown.output.contains("p***@example.com") && !shown.output.contains("pim@example.com"), "masked without --pii: \(shown.output)")
            #expect(shown.output.contains("w***@example.com"), "the kiosk joined the walk-in's e-mail: \(shown.output)")
            let city = shown.output.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }.first { $0.first == "city" }
            #expect(city?[1] == "Phuket" && city?.last == "web", "the trait's source by name: \(shown.output)")
            #expect(!shown.output.contains(sourceID), "a source id was printed for a person: \(shown.output)")
            let revealed = try await ChildProcess.run(built: "kinship", ["profiles", "show", "--workspace", ws, "--user-id", "member-1", "--pii", "--json"], environment: cli)
            let view = try JSONValue.parse(revealed.output)
            let profile = try #require(view["profileId"]?.stringValue, "\(revealed.error)")
            #expect(revealed.output.contains("pim@example.com"))
            #expect(shown.output.hasPrefix("profile \(profile)\n"), "by name and by id, the same profile: \(shown.output)")
            #expect(view["traits"]?["city"]?["source"]?.stringValue == sourceID && view["traits"]?["city"]?["sourceName"]?.stringValue == "web")

            let unmerged = try await ChildProcess.run(
                built: "kinship", ["profiles", "unmerge", profile, "--workspace", ws, "--identifier", "anonymous_id=kiosk-7", "--requested-by", "e2e"],
                environment: cli
            )
            #expect(unmerged.status == 0, "\(unmerged.error)")
            #expect(unmerged.output.contains("is now 3 profiles"), "\(unmerged.output)")
            let walkIn = try await ChildProcess.run(built: "kinship", ["profiles", "show", "--workspace", ws, "--email", "walk-in@example.com", "--json"], environment: cli)
            #expect(try JSONValue.parse(walkIn.output)["profileId"]?.stringValue != profile)
            let missing = try await ChildProcess.run(built: "kinship", ["profiles", "show", "--workspace", ws, "--email", "nobody@example.com"], environment: cli)
            #expect(missing.status != 0 && missing.error.contains("not_found"), "\(missing.error)")

            let rulesFile = FileManager.default.temporaryDirectory.appendingPathComponent("kinship-rules-\(UUID().uuidString).json")
            try Data(#"{"limits": {"user_id": 1, "email": 1, "anonymous_id": 100}}"#.utf8).write(to: rulesFile)
            defer { try? FileManager.default.removeItem(at: rulesFile) }
            let dryRun = try await ChildProcess.run(built: "kinship", ["rules", "dry-run", rulesFile.path, "--workspace", ws], environment: cli)
            #expect(dryRun.status == 0, "\(dryRun.error)")
            #expect(dryRun.output.contains("profiles that would split"), "\(dryRun.output)")
            let set = try await ChildProcess.run(built: "kinship", ["rules", "set", rulesFile.path, "--workspace", ws], environment: cli)
            #expect(set.output.contains("version 1 in force"), "\(set.output) \(set.error)")
            try Data(#"{"limits": {"email": "one"}}"#.utf8).write(to: rulesFile)
            let refused = try await ChildProcess.run(built: "kinship", ["rules", "set", rulesFile.path, "--workspace", ws], environment: cli)
            #expect(refused.status != 0 && refused.error.contains("invalid_rules"), "\(refused.error)")
            for given in [workspace.name, ws, workspace.id.uuidString.lowercased()] {
                let shownRules = try await ChildProcess.run(built: "kinship", ["rules", "show", "--workspace", given], environment: cli)
                #expect(shownRules.status == 0, "--workspace \(given): \(shownRules.error)")
                #expect((try? JSONValue.parse(shownRules.output))?["version"]?.numberValue == 1, "--workspace \(given): \(shownRules.output)")
            }

            // A workspace that does not exist is named in the error, by name or by id.
            let unknownName = try await ChildProcess.run(
                built: "kinship", ["profiles", "show", "--workspace", "no-such-shop", "--email", "pim@example.com"], environment: cli
            )
            #expect(unknownName.status != 0 && unknownName.error.contains("No workspace is named 'no-such-shop'"), "\(unknownName.error)")
            #expect(unknownName.output.isEmpty)
            let unknownID = UUID().uuidString.lowercased()
            let unknownRules = try await ChildProcess.run(built: "kinship", ["rules", "show", "--workspace", unknownID], environment: cli)
            #expect(unknownRules.status != 0 && unknownRules.error.contains("No workspace has the id \(unknownID)"), "\(unknownRules.error)")
            // Without the database a name cannot be looked up; an id goes to identity as given.
            var withoutDatabase = cli
            withoutDatabase["KINSHIP_DATABASE_URL"] = nil
            let byNameOnly = try await ChildProcess.run(built: "kinship", ["rules", "show", "--workspace", workspace.name], environment: withoutDatabase)
            #expect(byNameOnly.status != 0 && byNameOnly.error.contains("KINSHIP_DATABASE_URL"), "\(byNameOnly.error)")
            let byIDOnly = try await ChildProcess.run(built: "kinship", ["rules", "show", "--workspace", ws], environment: withoutDatabase)
            #expect(byIDOnly.status == 0 && byIDOnly.output.contains("\"version\""), "\(byIDOnly.error)")
            await ingestion.process.stop()
        }
    }

    @Test func aKilledIdentityWorkerResumesWithoutLosingOrRepeatingAnEvent() async throws {
        try await withIngestion { url, database, workspace, writeKey, environment, ingestion in
            // Each person browses anonymously, signs in with an e-mail, then buys: three events, one profile.
            let people = 300
            for start in stride(from: 0, to: people, by: 50) {
                var batch: [[String: Any]] = []
                for n in start..<(start + 50) {
                    batch.append(["type": "page", "anonymousId": "device-\(n)", "name": "Home"])
                    batch.append(["type": "identify", "anonymousId": "device-\(n)", "userId": "person-\(n)", "traits": ["email": "person\(n)@example.com"]])
                    batch.append(["type": "track", "userId": "person-\(n)", "event": "Order Completed"])
                }
                let answer = try await ingestion.postBatch(batch, writeKey: writeKey)
                #expect(answer.status == 200, "\(answer.body)")
            }
            let total = people * 3

            let port = freePort()
            let first = try await startIdentity(environment, port: port)
            var atKill = 0
            _ = try await poll(timeout: .seconds(5), every: .milliseconds(5)) {
                atKill = try await resolvedEvents(workspace, database).resolved
                return atKill >= 30
            }
            first.signal(SIGKILL)
            _ = try await first.waitForExit(timeout: .seconds(10))
            #expect(atKill < total, "the worker was killed mid-stream (\(atKill) of \(total) resolved)")

            let second = try await startIdentity(environment, port: port)
            defer { second.signal(SIGKILL) }
            #expect(try await waitUntilResolved(workspace, database, total: total), "the restarted worker did not finish the stream")

            let (live, all, identities, created) = try await database.query(
                """
                SELECT (SELECT count(*)::int FROM profiles WHERE workspace_id = \(workspace.id) AND merged_into IS NULL),
                       (SELECT count(*)::int FROM profiles WHERE workspace_id = \(workspace.id)),
                       (SELECT count(*)::int FROM identities WHERE workspace_id = \(workspace.id)),
                       (SELECT count(*)::int FROM outbox WHERE workspace_id = \(workspace.id) AND topic = \(OutboxTopic.profiles.name) AND payload->>'kind' = \(ProfileChange.Kind.created.rawValue))
                """,
                logger: TestDatabase.logger
            ).decode((Int, Int, Int, Int).self).first(where: { _ in true }) ?? (0, 0, 0, 0)
            #expect(live == people, "one profile per person")
            #expect(identities == people * 3, "device, user id and e-mail of each person, each once")
            #expect(created == all, "every profile announced once: no event's effects were applied twice")
            let shaped = try await database.query(
                """
                SELECT (SELECT count(*)::int FROM (SELECT profile_id FROM identities WHERE workspace_id = \(workspace.id)
                          GROUP BY profile_id HAVING count(*) = 3 AND count(DISTINCT type) = 3) AS p),
                       (SELECT count(*)::int FROM (SELECT profile_id FROM event_profiles WHERE workspace_id = \(workspace.id)
                          GROUP BY profile_id HAVING count(*) = 3) AS e)
                """,
                logger: TestDatabase.logger
            ).decode((Int, Int).self).collectAll()
            #expect(shaped.first?.0 == people, "each profile holds one device, one user id and one e-mail")
            #expect(shaped.first?.1 == people, "each person's three events share one profile")
            await ingestion.process.stop()
        }
    }

    /// The issue's own check: dump the whole database after known people went through ingestion and
    /// identity (refused messages included), and look for their identifiers and personal values.
    @Test func noIdentifierOrPersonalValueIsInClearAnywhereInADumpOfTheDatabase() async throws {
        let pgDump = URL(fileURLWithPath: "/usr/lib/postgresql/15/bin/pg_dump")
        try #require(FileManager.default.isExecutableFile(atPath: pgDump.path), "pg_dump of PostgreSQL 15 is needed")
        try await withIngestion { url, database, workspace, writeKey, environment, ingestion in
            let identity = try await startIdentity(environment, port: freePort())
            defer { identity.signal(SIGKILL) }
            let person: [String: Any] = [
                "email": "Somchai.Dumpcheck@Example.com", "phone": "089-555-0142", "name": "Somchai Dumpcheck",
                "firstName": "Somchaidump", "lastName": "Dumpchecksuk", "birthday": "1987-06-05", "address": "99 Dumpcheck Road",
            ]
            let context: [String: Any] = [
                "ip": "203.0.113.77", "traits": ["email": "Somchai.Dumpcheck@Example.com"],
                "externalIds": [["id": "line-dumpcheck-5510", "type": "line_user"]],
            ]
            let answer = try await ingestion.postBatch([
                ["type": "page", "anonymousId": "anon-dumpcheck-7731", "name": "Home", "context": context],
                ["type": "identify", "anonymousId": "anon-dumpcheck-7731", "userId": "user-dumpcheck-4821", "traits": person, "context": context],
                ["type": "track", "userId": "user-dumpcheck-4821", "event": "Order Completed", "properties": ["email": "Somchai.Dumpcheck@Example.com", "total": 10]],
                ["type": "alias", "previousId": "old-dumpcheck-3390", "userId": "user-dumpcheck-4821"],
                // Refused (a track without an event) after authentication: kept in failed_events, sealed too.
                ["type": "track", "userId": "user-dumpcheck-4821", "anonymousId": "anon-dumpcheck-7731", "properties": ["phone": "089-555-0142"]],
            ], writeKey: writeKey)
            #expect(answer.status == 200, "\(answer.body)")
            #expect(try await waitUntilResolved(workspace, database, total: 4), "identity never resolved the events")

            let dump = try await ChildProcess.run(
                pgDump, ["--data-only", "--no-owner", "-h", url.host, "-p", String(url.port), "-U", url.username, url.database],
                environment: ["PGPASSWORD": url.password ?? ""], inheriting: .all
            )
            let text = dump.output.lowercased()
            #expect(dump.status == 0, "\(dump.error)")
            #expect(text.contains("order completed"), "the dump holds the events (sanity check of the dump itself)")
            let secrets = [
                "somchai.dumpcheck@example.com", "089-555-0142", "0895550142", "+66895550142", "somchai dumpcheck", "somchaidump",
                "dumpchecksuk", "1987-06-05", "99 dumpcheck road", "203.0.113.77", "user-dumpcheck-4821", "anon-dumpcheck-7731",
                "old-dumpcheck-3390", "line-dumpcheck-5510",
            ]
            for secret in secrets {
                #expect(!text.contains(secret), "found \(secret) in clear in the dump")
            }
            await ingestion.process.stop()
        }
    }
}
