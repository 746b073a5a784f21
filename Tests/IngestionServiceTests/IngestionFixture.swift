import Foundation
import Hummingbird
import HummingbirdTesting
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import KinshipTestSupport
import PostgresNIO
import Testing
@testable import IngestionService

/// A workspace with one source, and the real ingestion application in front of the test database.
struct IngestionFixture: Sendable {
    let workspace: Workspace
    let writeKey: String
    /// The source the write key belongs to.
    let sourceID: UUID
    let database: PostgresClient
    let keys: WorkspaceKeys

    /// Runs `body` with a fresh workspace and source and a live ingestion server.
    static func run(
        configuration: IngestionConfiguration = IngestionConfiguration(),
        _ body: @Sendable (IngestionFixture, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await TestDatabase.withClient { database in
            let tenancy = TenancyStore(database: database, keyring: TestKeys.keyring, logger: TestDatabase.logger)
            let workspace = try await tenancy.createWorkspace(name: TestKeys.uniqueName("ingest"), actor: "test")
            let source = try await tenancy.createSource(in: workspace, name: "web", actor: "test")
            let fixture = IngestionFixture(
                workspace: workspace, writeKey: source.secret, sourceID: source.owner.id, database: database,
                keys: try await tenancy.keys(for: workspace.id)
            )
            let app = try IngestionApplication.build(ServiceRuntime(configuration: TestKeys.configuration(.ingestion)), configuration: configuration)
            try await app.test(.live) { client in try await body(fixture, client) }
        }
    }

    var basicAuthorization: String { KinshipCore.basicAuthorization(user: writeKey) }

    func headers(_ extra: HTTPFields = [:]) -> HTTPFields {
        var headers: HTTPFields = [.authorization: basicAuthorization, .contentType: "application/json"]
        headers.append(contentsOf: extra)
        return headers
    }

    /// The stored events of this workspace, opened (PII decrypted), by message id.
    func storedEvents() async throws -> [String: [String: JSONValue]] {
        var events: [String: [String: JSONValue]] = [:]
        let sealing = SealedFields(key: keys.dataKey, workspaceID: workspace.id)
        for try await (messageId, text) in try await database.query(
            "SELECT message_id, message::text FROM events WHERE workspace_id = \(workspace.id)", logger: TestDatabase.logger
        ).decode((String, String).self) {
            let raw = try JSONCoding.decode([String: JSONValue].self, from: Data(text.utf8))
            events[messageId] = try sealing.openMessage(raw)
        }
        return events
    }

    /// The stored rows' JSON as text, exactly as at rest.
    func storedText() async throws -> String {
        try await database.query(
            "SELECT coalesce(string_agg(message::text, ' '), '') FROM events WHERE workspace_id = \(workspace.id)", logger: TestDatabase.logger
        ).decode(String.self).first(where: { _ in true }) ?? ""
    }

    func count(_ table: String) async throws -> Int {
        try await database.query(
            PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table) WHERE workspace_id = $1", binds: {
                var binds = PostgresBindings()
                binds.append(workspace.id)
                return binds
            }()),
            logger: TestDatabase.logger
        ).decode(Int.self).first(where: { _ in true }) ?? -1
    }

    /// The `events` outbox references of this workspace that name a stored event (each counted as often
    /// as it is referenced).
    func outboxReferences() async throws -> Int {
        try await referencedEvents(in: workspace.id, on: database)
    }

    /// The references (message id, partition) each `events` outbox message of this workspace carries, in order.
    func outboxMessages() async throws -> [(partition: Int, key: String, messageIds: [String])] {
        var messages: [(partition: Int, key: String, messageIds: [String])] = []
        for try await (partition, key, payload) in try await database.query(
            "SELECT partition, key, payload::text FROM outbox WHERE workspace_id = \(workspace.id) AND topic = 'events' ORDER BY id",
            logger: TestDatabase.logger
        ).decode((Int, String, String).self) {
            messages.append((partition, key, try EventReference.references(in: payload).map(\.messageId)))
        }
        return messages
    }

    func failedCodes() async throws -> [String] {
        try await database.query(
            "SELECT error_code FROM failed_events WHERE workspace_id = \(workspace.id) ORDER BY id", logger: TestDatabase.logger
        ).decode(String.self).collectAll()
    }
}

/// The JSON body of a response, as a dictionary.
func jsonBody(_ response: TestResponse) throws -> [String: JSONValue] {
    try JSONCoding.decode([String: JSONValue].self, from: Data(buffer: response.body))
}

func body(_ json: String) -> ByteBuffer { ByteBuffer(string: json) }
