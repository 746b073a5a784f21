import Foundation
import KinshipTestSupport
import Logging
import PostgresNIO
@testable import Shared
@testable import IdentityService

/// A fresh workspace and the identity resolver, fed stored events one at a time (as the consumer would).
struct IdentityFixture: Sendable {
    let workspace: Workspace
    let keys: WorkspaceKeys
    let database: PostgresClient
    let directory: WorkspaceDirectory
    let source = UUID()

    @discardableResult
    static func run<T: Sendable>(_ body: @Sendable (IdentityFixture) async throws -> T) async throws -> T {
        try await TestDatabase.withClient { database in
            let tenancy = TenancyStore(database: database, keyring: TestKeys.keyring, logger: TestDatabase.logger)
            let workspace = try await tenancy.createWorkspace(name: TestKeys.uniqueName("identity"), actor: "test")
            let fixture = IdentityFixture(
                workspace: workspace, keys: try await tenancy.keys(for: workspace.id), database: database,
                directory: WorkspaceDirectory(database: database, keyring: TestKeys.keyring, logger: TestDatabase.logger)
            )
            return try await body(fixture)
        }
    }

    /// Stores the event as ingestion does (PII sealed) and resolves it; returns the message id.
    @discardableResult
    func send(_ json: String) async throws -> String {
        var message = try JSONCoding.decode([String: JSONValue].self, from: Data(json.utf8))
        let messageId = message["messageId"]?.stringValue ?? UUID().uuidString
        message["messageId"] = .string(messageId)
        let eventTime = message["timestamp"]?.stringValue ?? Timestamp.format(Date())
        let receivedAt = Timestamp.format(Date())
        let sealed = try SealedFields(key: keys.dataKey, workspaceID: workspace.id).sealMessage(message)
        let text = String(decoding: try JSONCoding.encoder().encode(JSONValue.object(sealed)), as: UTF8.self)
        let resolver = EventResolver(directory: directory, logger: TestDatabase.logger)
        let reference = String(decoding: try JSONCoding.encoder().encode(EventReference(messageId: messageId, receivedAt: receivedAt)), as: UTF8.self)
        let outbox = OutboxMessage(id: 1, topic: "events", partition: 0, workspaceID: workspace.id, key: "k", payload: reference, createdAt: Date())
        try await database.transaction(logger: TestDatabase.logger) { connection in
            try await connection.query(
                """
                INSERT INTO events (workspace_id, received_at, message_id, source_id, type, event, event_time, message)
                VALUES (\(workspace.id), \(receivedAt)::timestamptz, \(messageId), \(source), \(message["type"]?.stringValue ?? "track"),
                        \(message["event"]?.stringValue), \(eventTime)::timestamptz, \(text)::jsonb)
                """,
                logger: TestDatabase.logger
            )
            try await resolver.handle(outbox, on: connection)
        }
        return messageId
    }

    var reader: ProfileReader { ProfileReader(database: database, directory: directory, workspaceID: workspace.id) }

    func profile(_ type: String, _ value: String) async throws -> UUID? {
        try await reader.resolve(type: type, value: value)
    }

    func view(_ profile: UUID, pii: Bool = true) async throws -> ProfileReader.View? {
        try await reader.view(of: profile, revealPII: pii)
    }

    /// Live (not merged-away) profiles of the workspace.
    func liveProfiles() async throws -> Int {
        try await database.query(
            "SELECT count(*)::int FROM profiles WHERE workspace_id = \(workspace.id) AND merged_into IS NULL", logger: TestDatabase.logger
        ).decode(Int.self).first(where: { _ in true }) ?? -1
    }

    func eventProfile(_ messageId: String) async throws -> UUID? {
        try await database.query(
            "SELECT profile_id FROM events WHERE workspace_id = \(workspace.id) AND message_id = \(messageId)", logger: TestDatabase.logger
        ).decode(UUID?.self).first(where: { _ in true }) ?? nil
    }

    func setRules(_ rules: IdentityRules, version: Int) async throws {
        let text = String(decoding: try JSONCoding.encoder().encode(rules), as: UTF8.self)
        try await database.query(
            """
            INSERT INTO identity_rules (workspace_id, version, rules) VALUES (\(workspace.id), \(version), \(text)::jsonb)
            ON CONFLICT (workspace_id) DO UPDATE SET version = excluded.version, rules = excluded.rules
            """,
            logger: TestDatabase.logger
        )
    }
}
