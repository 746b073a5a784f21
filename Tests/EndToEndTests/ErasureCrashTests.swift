import AsyncHTTPClient
import Foundation
import KinshipCore
import KinshipDatabase
import KinshipTestSupport
import NIOCore
import PostgresNIO
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// An erasure outlives a service killed in the middle of it: the other services finish their steps, the
/// request waits, and the killed service, started again, finishes its own from the outbox.
@Suite(.serialized) struct ErasureCrashTests {
    @Test func anErasureFinishesAfterSegmentationIsKilledAndStartedAgain() async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url) { database in
                let (workspace, writeKey) = try await makeSource(on: database)
                var environment = TestKeys.environment(url: url)
                var processes: [String: ChildProcess] = [:]
                defer { for process in processes.values { process.signal(SIGKILL) } }
                for service in ["ingestion", "identity", "segmentation", "reporting"] {
                    let port = freePort()
                    environment["KINSHIP_\(service.uppercased())_PORT"] = String(port)
                    environment["KINSHIP_\(service.uppercased())_URL"] = "http://127.0.0.1:\(port)"
                }
                func start(_ service: String) async throws {
                    let process = try ChildProcess(built: service, environment: environment)
                    processes[service] = process
                    try await process.waitUntilReady(environment["KINSHIP_\(service.uppercased())_URL"]! + "/readyz")
                }
                for service in ["ingestion", "identity", "segmentation", "reporting"] { try await start(service) }

                // One customer who refused marketing, so segmentation holds consent facts and refusals of theirs.
                let batch: [[String: Any]] = [
                    ["type": "identify", "messageId": "crash-1", "userId": "crash-user", "traits": ["email": "crash@example.com", "plan": "gold"]],
                    ["type": "track", "messageId": "crash-2", "userId": "crash-user", "event": "Consent Preference Updated",
                     "properties": ["categoryPreferences": ["marketing": false]]],
                    ["type": "track", "messageId": "crash-3", "userId": "crash-user", "event": "Order Completed", "properties": ["order_id": "o-1", "total": 500]],
                ]
                var request = HTTPClientRequest(url: environment["KINSHIP_INGESTION_URL"]! + "/v1/batch")
                request.method = .POST
                request.headers.add(name: "Authorization", value: basicAuthorization(user: writeKey))
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: ["batch": batch])))
                #expect(try await HTTPAnswer.send(request, timeout: .seconds(30)).status == 200)
                func count(_ query: PostgresQuery) async throws -> Int {
                    try await database.query(query, logger: TestDatabase.logger).decode(Int.self).collectAll().first ?? -1
                }
                let evaluated = try await poll(timeout: .seconds(60), every: .milliseconds(250)) {
                    try await count("SELECT count(*)::int FROM consent_refusals WHERE workspace_id = \(workspace.id) AND refused") >= 2
                }
                #expect(evaluated, "segmentation evaluated the customer and keeps their refusal")

                // Segmentation dies; the erasure is asked for while it is down.
                processes["segmentation"]!.signal(SIGKILL)
                _ = await processes["segmentation"]!.stop(grace: .seconds(5))
                let admin = try await TenancyStore(database: database, keyring: TestKeys.keyring, logger: TestDatabase.logger)
                    .createAPIKey(in: workspace, name: "crash", role: .admin, actor: "test").secret
                var erase = HTTPClientRequest(url: environment["KINSHIP_REPORTING_URL"]! + "/v1/privacy/requests")
                erase.method = .POST
                erase.headers.add(name: "Authorization", value: "Bearer \(admin)")
                erase.headers.add(name: "Content-Type", value: "application/json")
                erase.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: ["kind": "erase", "identifier": ["type": "user_id", "value": "crash-user"]])))
                let asked = try await HTTPAnswer.send(erase, timeout: .seconds(30))
                #expect(asked.status == 202, "\(asked.body)")
                let id = try #require(asked.json["id"] as? String).lowercased()
                let othersDone = try await poll(timeout: .seconds(60), every: .milliseconds(250)) {
                    try await count(
                        "SELECT count(*)::int FROM privacy_request_steps WHERE request_id = \(UUID(uuidString: id)!) AND status = 'done' AND service IN ('identity', 'reporting')"
                    ) == 2
                }
                #expect(othersDone, "identity and reporting finish their steps while segmentation is down")
                #expect(try await count("SELECT count(*)::int FROM privacy_requests WHERE id = \(UUID(uuidString: id)!) AND status = 'running'") == 1)
                #expect(try await count("SELECT count(*)::int FROM consent_refusals WHERE workspace_id = \(workspace.id)") >= 2, "segmentation's rows wait for it")

                try await start("segmentation")
                let done = try await poll(timeout: .seconds(60), every: .milliseconds(250)) {
                    try await count("SELECT count(*)::int FROM privacy_requests WHERE id = \(UUID(uuidString: id)!) AND status = 'done'") == 1
                }
                #expect(done, "segmentation, started again, finishes its step from the outbox")
                for table in ["segment_profiles", "consent_facts", "consent_refusals", "identities", "events", "report_events"] {
                    let left = try await count(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table) WHERE workspace_id = $1", binds: {
                        var binds = PostgresBindings()
                        binds.append(workspace.id)
                        return binds
                    }()))
                    #expect(left == 0, "\(left) rows of \(table) left")
                }
                for process in processes.values { try process.requireRunning() }
            }
        }
    }
}
