import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `ingestion` executable as processes and talks to it over HTTP.
struct IngestionProcessTests {
    static func track(_ messageId: String) -> [String: Any] {
        ["type": "track", "messageId": messageId, "userId": "user-\(messageId)", "event": "Order Completed"]
    }

    @Test func aMessageIdSentToTwoIngestionProcessesAtOnceIsStoredOnce() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let (workspace, writeKey) = try await TestDatabase.withClient(url) { try await makeSource(on: $0) }
            let environment = TestKeys.environment(url: url)
            let servers = [
                try IngestionProcess(environment: environment, port: freePort()),
                try IngestionProcess(environment: environment, port: freePort()),
            ]
            for server in servers { try await server.process.waitUntilReady(server.url + "/readyz") }

            let runID = UUID().uuidString.prefix(8)
            let shared = (0..<200).map { Self.track("dup-\(runID)-\($0)") }
            let distinct = (0..<50).map { Self.track("one-\(runID)-\($0)") }
            // Both processes get all 200 shared messages, as 20 batches of 10 each, in flight at once;
            // the 50 distinct ones go as 5 batches, alternating between the processes.
            var sends: [(server: IngestionProcess, batch: [[String: Any]])] = []
            for start in stride(from: 0, to: 200, by: 10) {
                for server in servers { sends.append((server, Array(shared[start..<start + 10]))) }
            }
            for (index, start) in stride(from: 0, to: 50, by: 10).enumerated() {
                sends.append((servers[index % 2], Array(distinct[start..<start + 10])))
            }
            let answers = try await withThrowingTaskGroup(of: HTTPAnswer.self) { group in
                for send in sends {
                    let (server, body) = (send.server, try JSONSerialization.data(withJSONObject: ["batch": send.batch]))
                    group.addTask { try await server.postBatch(json: body, writeKey: writeKey) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }

            #expect(answers.count == 45)
            let failures = answers.filter { $0.status != 200 }
            #expect(failures.isEmpty, "non-200 answers: \(failures.map { "\($0.status) \($0.body)" })")
            let stored = answers.map { $0.json["stored"] as? Int ?? 0 }.reduce(0, +)
            let duplicates = answers.map { $0.json["duplicates"] as? Int ?? 0 }.reduce(0, +)
            #expect(stored == 250, "answers: \(answers.map(\.body))")
            #expect(duplicates == 200)

            let counts = try await TestDatabase.withClient(url) { try await storedCounts(in: workspace, on: $0) }
            #expect(counts.events == 250)
            #expect(counts.messageIds == 250)
            #expect(counts.outbox == 250)

            for server in servers {
                let status = await server.process.stop()
                #expect(status == 0, "exit status \(String(describing: status)) after SIGTERM; stderr: \(server.process.standardError)")
            }
        }
    }

    @Test func answers503WithRetryAfterWhenPostgresIsDown_andStoresNothingItAcknowledged() async throws {
        // A port nothing listens on stands for a database that is down, without stopping the shared cluster.
        var environment = TestKeys.environment()
        environment["KINSHIP_DATABASE_URL"] = "postgres://kinship:unused@127.0.0.1:\(freePort())/kinship_down?sslmode=disable"
        environment["KINSHIP_LOG_LEVEL"] = "info"
        let server = try IngestionProcess(environment: environment, port: freePort())

        // Live without its database: /healthz answers though /readyz does not.
        try await server.process.waitUntilReady(server.url + "/healthz")
        let readiness = try await server.get("/readyz")
        #expect(readiness.status == 503, "readyz without a database: \(readiness.status) \(readiness.body)")

        let writeKey = "wk_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        for attempt in 0..<2 {
            let started = ContinuousClock.now
            let answer = try await server.postBatch([Self.track("down-\(attempt)-\(UUID())")], writeKey: writeKey, timeout: .seconds(30))
            let elapsed = ContinuousClock.now - started
            #expect(answer.status == 503, "attempt \(attempt): \(answer.status) \(answer.body) after \(elapsed); stderr: \(server.process.standardError)")
            #expect(answer.body.contains(#""code":"database_unavailable""#), "attempt \(attempt): \(answer.body)")
            #expect(answer.retryAfter.flatMap(Int.init).map { $0 > 0 } == true, "Retry-After: \(String(describing: answer.retryAfter))")
            #expect(elapsed < .seconds(15), "attempt \(attempt) took \(elapsed)")
        }

        // Logs go to standard output; its tail shows what a slow shutdown is waiting for.
        let status = await server.process.stop()
        #expect(
            status == 0,
            "exit status \(String(describing: status)) 10 s after SIGTERM; stderr: \(server.process.standardError) log tail: \(server.process.standardOutput.suffix(1500))"
        )
    }

    @Test func theBrowserTrackerDeliversToTheRealServer() async throws {
        guard let node = executableOnPath("node") else {
            Issue.record("node is required on PATH to run Tests/Browser/kinship.live.test.mjs (scripts/test installs it)")
            return
        }
        let (workspace, writeKey) = try await TestDatabase.withClient { try await makeSource(on: $0) }
        let server = try IngestionProcess(environment: TestKeys.environment(), port: freePort())
        try await server.process.waitUntilReady(server.url + "/readyz")

        let output = ChildProcess.temporaryLog("kinship-node")
        defer { try? FileManager.default.removeItem(at: output) }
        let tests = try ChildProcess(
            node, arguments: ["--test", "--test-reporter=tap", "Tests/Browser/kinship.live.test.mjs"],
            environment: ["KINSHIP_INGESTION_URL": server.url, "KINSHIP_WRITE_KEY": writeKey], inheriting: .all,
            output: .log(output), workingDirectory: packageRoot
        )
        let testsStatus = try await tests.waitForExit(timeout: .seconds(120))
        if testsStatus == nil { tests.signal(SIGKILL) }
        let report = tests.standardOutput
        #expect(testsStatus == 0, "node --test failed:\n\(report)\nserver stderr: \(server.process.standardError)")
        // node --test passes a suite it skipped; the live suite must really have run.
        #expect(report.contains("# skipped 0") && !report.contains("# pass 0"), "live tests were skipped:\n\(report)")

        let (counts, types) = try await TestDatabase.withClient { database in
            var types: Set<String> = []
            for try await type in try await database.query(
                "SELECT DISTINCT type FROM events WHERE workspace_id = \(workspace.id)", logger: TestDatabase.logger
            ).decode(String.self) {
                types.insert(type)
            }
            return (try await storedCounts(in: workspace, on: database), types)
        }
        #expect(types.isSuperset(of: ["page", "track", "identify"]), "stored types: \(types)")
        #expect(counts.events >= 3, "events stored from the tracker: \(counts.events)")
        #expect(counts.outbox == counts.events)

        let status = await server.process.stop()
        #expect(status == 0, "exit status \(String(describing: status)) after SIGTERM; stderr: \(server.process.standardError)")
    }
}
