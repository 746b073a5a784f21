import Foundation
import KinshipTestSupport
import Logging
import PostgresNIO
@testable import KinshipCore
@testable import KinshipPrivacy
@testable import KinshipDatabase
@testable import KinshipOutbox
@testable import KinshipService
@testable import IdentityService

/// A fresh workspace and the identity resolver, fed stored events one at a time (as the consumer would).
struct IdentityFixture: Sendable {
    let workspace: Workspace
    let keys: WorkspaceKeys
    let database: PostgresClient
    let directory: WorkspaceKeyCache
    let source = UUID()

    @discardableResult
    static func run<T: Sendable>(_ body: @Sendable (IdentityFixture) async throws -> T) async throws -> T {
        try await TestDatabase.withClient { database in
            let tenancy = TenancyStore(database: database, keyring: TestKeys.keyring, logger: TestDatabase.logger)
            let workspace = try await tenancy.createWorkspace(name: TestKeys.uniqueName("identity"), actor: "test")
            let fixture = IdentityFixture(
                workspace: workspace, keys: try await tenancy.keys(for: workspace.id), database: database,
                directory: WorkspaceKeyCache(database: database, keyring: TestKeys.keyring, logger: TestDatabase.logger)
            )
            return try await body(fixture)
        }
    }

    /// Stores the event as ingestion does (PII sealed) and resolves it; returns the message id.
    @discardableResult
    func send(_ json: String) async throws -> String {
        try await sendBatch([json])[0]
    }

    /// Stores the events and resolves them as one consumer batch, in order; returns their message ids.
    @discardableResult
    func sendBatch(_ jsons: [String]) async throws -> [String] {
        let (ids, messages) = try await store(jsons)
        try await resolve(messages)
        return ids
    }

    /// As `sendBatch`, and as the outbox consumer does: a deadlock or serialisation failure rolls the
    /// batch back and runs it again.
    func sendBatchRetrying(_ jsons: [String]) async throws {
        try await resolve(try await store(jsons).messages, retrying: true)
    }

    /// Stores the events as ingestion does (PII sealed, committed); returns their message ids and their
    /// `events` messages.
    func store(_ jsons: [String]) async throws -> (ids: [String], messages: [OutboxMessage]) {
        try await database.transaction(logger: TestDatabase.logger) { connection in
            var messages: [OutboxMessage] = []
            var ids: [String] = []
            for json in jsons {
                var message = try JSONCoding.decode([String: JSONValue].self, from: Data(json.utf8))
                let messageId = message["messageId"]?.stringValue ?? UUID().uuidString
                message["messageId"] = .string(messageId)
                ids.append(messageId)
                let eventTime = message["timestamp"]?.stringValue ?? Timestamp.format(Date())
                let receivedAt = Timestamp.format(Date())
                let sealed = try SealedFields(key: keys.dataKey, workspaceID: workspace.id).sealMessage(message)
                try await connection.query(
                    """
                    INSERT INTO events (workspace_id, received_at, message_id, source_id, type, event, event_time, message)
                    VALUES (\(workspace.id), \(receivedAt)::timestamptz, \(messageId), \(source), \(message["type"]?.stringValue ?? "track"),
                            \(message["event"]?.stringValue), \(eventTime)::timestamptz, \(JSONValue.object(sealed).serialized())::jsonb)
                    """,
                    logger: TestDatabase.logger
                )
                let reference = try JSONCoding.encoder().encode(EventReference(messageId: messageId, receivedAt: receivedAt))
                messages.append(OutboxMessage(
                    id: Int64(messages.count + 1), topic: "events", partition: 0, workspaceID: workspace.id, key: "k",
                    payload: String(decoding: reference, as: UTF8.self), createdAt: Date()
                ))
            }
            return (ids, messages)
        }
    }

    /// The messages' references regrouped as ingestion writes them: `size` references per message, in order.
    static func grouped(_ messages: [OutboxMessage], size: Int) throws -> [OutboxMessage] {
        try stride(from: 0, to: messages.count, by: size).map { start in
            let part = messages[start..<min(start + size, messages.count)]
            let references = try part.flatMap { try EventReference.references(in: $0.payload) }
            return OutboxMessage(
                id: Int64(start + 1), topic: "events", partition: 0, workspaceID: part.first!.workspaceID, key: "",
                payload: EventReference.messagePayload(joining: references.map(\.payload)), createdAt: Date()
            )
        }
    }

    /// Resolves the messages as the consumer does: a batch per transaction, each from the first message
    /// the one before did not handle.
    func resolve(_ messages: [OutboxMessage], retrying: Bool = false, mostEventsPerBatch: Int = OutboxConsumerOptions().batchSize) async throws {
        var rest = messages[...]
        while !rest.isEmpty {
            let handled = try await handleOnce(Array(rest), retrying: retrying, mostEventsPerBatch: mostEventsPerBatch)
            rest = rest.dropFirst(handled)
        }
    }

    /// One consumer transaction over the messages; returns how many it handled.
    func handleOnce(_ messages: [OutboxMessage], retrying: Bool = false, mostEventsPerBatch: Int = OutboxConsumerOptions().batchSize) async throws -> Int {
        let resolver = EventResolver(directory: directory, logger: TestDatabase.logger, mostEventsPerBatch: mostEventsPerBatch)
        var attempt = 1
        while true {
            do {
                return try await database.transaction(logger: TestDatabase.logger) { connection in
                    try await resolver.handle(messages, on: connection)
                }
            } catch let error as PSQLError where retrying && ["40P01", "40001"].contains(error.serverInfo?[.sqlState] ?? "") && attempt < 20 {
                try await Task.sleep(for: .milliseconds(5 * attempt))
                attempt += 1
            }
        }
    }

    /// Live profiles whose stored identifier counts or merge count (`profiles.identity_counts`,
    /// `merge_count`) differ from counting `identities` and `profile_merges`.
    func miscountedProfiles() async throws -> [UUID] {
        try await database.query(
            """
            SELECT p.id FROM profiles p
            WHERE p.workspace_id = \(workspace.id) AND p.merged_into IS NULL AND (
              p.identity_counts <> coalesce((
                SELECT jsonb_object_agg(c.type, c.n)
                FROM (SELECT type, count(*)::int AS n FROM identities i WHERE i.workspace_id = p.workspace_id AND i.profile_id = p.id GROUP BY type) AS c
              ), '{}')
              OR p.merge_count <> (SELECT count(*)::int FROM profile_merges m WHERE m.workspace_id = p.workspace_id AND m.into_profile = p.id))
            """,
            logger: TestDatabase.logger
        ).decode(UUID.self).collectAll()
    }

    /// The identity graph of the fixture's workspace under its rules in force.
    func graph() async throws -> IdentityGraph {
        try await database.withConnection { connection in
            let (rules, version) = try await RuleStore.current(for: workspace.id, on: connection, logger: TestDatabase.logger)
            return IdentityGraph(workspaceID: workspace.id, keys: keys, keyring: TestKeys.keyring, rules: rules, ruleVersion: version, logger: TestDatabase.logger)
        }
    }

    var reader: ProfileReader { ProfileReader(database: database, directory: directory, workspaceID: workspace.id) }

    func profile(_ type: String, _ value: String) async throws -> UUID? {
        try await reader.resolve(type: type, value: value)
    }

    func view(_ profile: UUID, pii: Bool = true) async throws -> ProfileView? {
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
            "SELECT profile_id FROM event_profiles WHERE workspace_id = \(workspace.id) AND message_id = \(messageId)", logger: TestDatabase.logger
        ).decode(UUID?.self).first(where: { _ in true }) ?? nil
    }

    func unmerge(_ profile: UUID, _ target: UnmergeTarget) async throws -> UnmergeOutcome {
        try await database.transaction(logger: TestDatabase.logger) { connection in
            let (rules, version) = try await RuleStore.current(for: workspace.id, on: connection, logger: TestDatabase.logger)
            let graph = IdentityGraph(workspaceID: workspace.id, keys: keys, keyring: TestKeys.keyring, rules: rules, ruleVersion: version, logger: TestDatabase.logger)
            return try await graph.unmerge(profile, target, requestedBy: "test", on: connection)
        }
    }

    func dryRun(_ proposed: IdentityRules) async throws -> RulesDryRunReport {
        try await database.withConnection { connection in
            try await RulesDryRun(workspaceID: workspace.id, keys: keys, logger: TestDatabase.logger).run(proposed: proposed, on: connection)
        }
    }

    /// The `profiles` topic's messages of this workspace, oldest first.
    func profileChanges() async throws -> [ProfileChange] {
        try await database.query(
            "SELECT payload::text FROM outbox WHERE workspace_id = \(workspace.id) AND topic = 'profiles' ORDER BY id", logger: TestDatabase.logger
        ).decode(String.self).collectAll().map { try JSONCoding.decode(ProfileChange.self, from: Data($0.utf8)) }
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
