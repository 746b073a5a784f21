import AsyncHTTPClient
import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipTestSupport
import PostgresNIO

/// A real `ingestion` process on its own port, reached over HTTP as a customer's servers would.
struct IngestionProcess {
    let process: ChildProcess
    let url: String

    init(environment: [String: String], port: Int) throws {
        var environment = environment
        environment["KINSHIP_INGESTION_PORT"] = String(port)
        process = try ChildProcess(built: "ingestion", environment: environment)
        url = "http://127.0.0.1:\(port)"
    }

    func get(_ path: String) async throws -> HTTPAnswer {
        try await HTTPAnswer.send(HTTPClientRequest(url: url + path), timeout: .seconds(5))
    }

    /// `POST /v1/batch` authenticated with HTTP Basic, the write key as the user name.
    func postBatch(_ messages: [[String: Any]], writeKey: String, timeout: Duration = .seconds(30)) async throws -> HTTPAnswer {
        try await postBatch(json: try JSONSerialization.data(withJSONObject: ["batch": messages]), writeKey: writeKey, timeout: timeout)
    }

    /// The same with the body already encoded, so it can cross into a child task.
    func postBatch(json body: Data, writeKey: String, timeout: Duration = .seconds(30)) async throws -> HTTPAnswer {
        var request = HTTPClientRequest(url: url + "/v1/batch")
        request.method = .POST
        request.headers.add(name: "Authorization", value: basicAuthorization(user: writeKey))
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(Array(body))
        return try await HTTPAnswer.send(request, timeout: timeout)
    }
}

struct HTTPAnswer: Sendable {
    let status: UInt
    let body: String
    let retryAfter: String?

    static func send(_ request: HTTPClientRequest, timeout: Duration) async throws -> HTTPAnswer {
        let response = try await HTTPClient.shared.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000))
        let body = try await response.body.collect(upTo: 1 << 20)
        return HTTPAnswer(status: response.status.code, body: String(buffer: body), retryAfter: response.headers.first(name: "Retry-After"))
    }

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }
}

/// A fresh workspace and source made through the store operators use; the source's secret is its write key.
func makeSource(on database: PostgresClient) async throws -> (workspace: Workspace, writeKey: String) {
    let tenancy = TenancyStore(database: database, keyring: TestKeys.keyring, logger: TestDatabase.logger)
    let workspace = try await tenancy.createWorkspace(name: TestKeys.uniqueName("e2e-ingest"), actor: "test")
    let source = try await tenancy.createSource(in: workspace, name: "web", actor: "test")
    return (workspace, source.secret)
}

/// Counts rows of this workspace: stored events, distinct message ids among them, and the `events` outbox
/// references that name them.
func storedCounts(in workspace: Workspace, on database: PostgresClient) async throws -> (events: Int, messageIds: Int, outbox: Int) {
    let logger = TestDatabase.logger
    var events = 0, messageIds = 0
    for try await (total, distinct) in try await database.query(
        "SELECT count(*), count(DISTINCT message_id) FROM events WHERE workspace_id = \(workspace.id)", logger: logger
    ).decode((Int, Int).self) {
        (events, messageIds) = (total, distinct)
    }
    return (events, messageIds, try await referencedEvents(in: workspace.id, on: database))
}

/// The package root, found from this file's place in `Tests/EndToEndTests/`.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The full path of `command` on PATH, or nil when it is not installed.
func executableOnPath(_ command: String) -> URL? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent(command) }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }
}
