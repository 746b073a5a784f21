import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipTestSupport
import Logging
import PostgresNIO
@testable import SegmentationService

/// A workspace with profiles and events as identity leaves them (`profiles`, `events`, `event_profiles`),
/// and segmentation's evaluator over them.
struct EvaluatorFixture: Sendable {
    let database: PostgresClient
    let workspace: Workspace
    let source: UUID
    let evaluator: ProfileEvaluator
    static let logger = TestDatabase.logger

    init(database: PostgresClient) async throws {
        self.database = database
        let tenancy = TenancyStore(database: database, keyring: TestKeys.keyring, logger: Self.logger)
        workspace = try await tenancy.createWorkspace(name: TestKeys.uniqueName("seg"), actor: "test")
        source = try await tenancy.createSource(in: workspace, name: "web", actor: "test").owner.id
        let directory = WorkspaceKeyCache(database: database, keyring: TestKeys.keyring, logger: Self.logger)
        evaluator = ProfileEvaluator(directory: directory, logger: Self.logger)
    }

    /// A new live profile with its own data key.
    func profile() async throws -> UUID {
        let id = UUID()
        let wrapped = try TestKeys.keyring.wrap(DataKey.generate())
        try await database.query(
            "INSERT INTO profiles (workspace_id, id, data_key) VALUES (\(workspace.id), \(id), \(wrapped))", logger: Self.logger
        )
        return id
    }

    /// Gives `profile` an identifier of `type` as identity keeps it (a random token; the value is not read
    /// here) and returns its token.
    @discardableResult
    func identifier(_ type: String, of profile: UUID) async throws -> Data {
        let token = Data((0..<32).map { _ in UInt8.random(in: 0...255) })
        try await database.query(
            """
            INSERT INTO identities (workspace_id, type, token, value_sealed, profile_id)
            VALUES (\(workspace.id), \(type), \(token), \(Data([0])), \(profile))
            """,
            logger: Self.logger
        )
        return token
    }

    /// `consent_refusals` of the workspace: (type, token, category) → refused.
    func refusals() async throws -> [String: Bool] {
        var rows: [String: Bool] = [:]
        for try await (type, token, category, refused) in try await database.query(
            "SELECT type, token, category, refused FROM consent_refusals WHERE workspace_id = \(workspace.id)", logger: Self.logger
        ).decode((String, Data, String, Bool).self) {
            rows["\(type)/\(token.base64EncodedString())/\(category)"] = refused
        }
        return rows
    }

    /// Stores a track event of `profile` as ingestion and identity would have.
    @discardableResult
    func track(
        _ name: String, of profile: UUID, at time: Date, properties: [String: JSONValue] = [:], context: [String: JSONValue] = [:],
        messageId: String = UUID().uuidString
    ) async throws -> String {
        let message = JSONValue.object([
            "type": .string("track"), "event": .string(name), "messageId": .string(messageId), "timestamp": .string(Timestamp.format(time)),
            "properties": .object(properties), "context": .object(context),
        ])
        let receivedAt = Date()
        try await database.query(
            """
            INSERT INTO events (workspace_id, received_at, message_id, source_id, type, event, event_time, message)
            VALUES (\(workspace.id), \(receivedAt), \(messageId), \(source), 'track', \(name), \(time), \(message.serialized())::jsonb)
            """,
            logger: Self.logger
        )
        try await database.query(
            """
            INSERT INTO event_profiles (workspace_id, received_at, message_id, profile_id, event_time, track_event)
            VALUES (\(workspace.id), \(receivedAt), \(messageId), \(profile), \(time), \(name))
            """,
            logger: Self.logger
        )
        return messageId
    }

    /// Sets a non-personal trait as identity stores it (`{value, at, source}`).
    func setTrait(_ name: String, _ value: String, of profile: UUID) async throws {
        let stored = JSONValue.object(["value": .string(value), "at": .string(Timestamp.format(Date())), "source": .string(source.lowercased)])
        try await database.query(
            """
            UPDATE profiles SET traits = jsonb_set(traits, ARRAY[\(name)], \(stored.serialized())::jsonb)
            WHERE workspace_id = \(workspace.id) AND id = \(profile)
            """,
            logger: Self.logger
        )
    }

    /// The workspace's profiles whose next check has come at `now`.
    func dueProfiles(at now: Date) async throws -> Set<UUID> {
        Set(try await database.query(
            "SELECT profile_id FROM segment_profiles WHERE workspace_id = \(workspace.id) AND next_check <= \(now)", logger: Self.logger
        ).decode(UUID.self).collectAll())
    }

    /// Folds `from` into `into` as identity's merge leaves the tables.
    func merge(_ from: UUID, into: UUID) async throws {
        try await database.query(
            "UPDATE profiles SET merged_into = \(into) WHERE workspace_id = \(workspace.id) AND id = \(from)", logger: Self.logger
        )
        try await database.query(
            "UPDATE event_profiles SET profile_id = \(into) WHERE workspace_id = \(workspace.id) AND profile_id = \(from)", logger: Self.logger
        )
    }

    @discardableResult
    func evaluate(_ profiles: Set<UUID>, now: Date = Date()) async throws -> ProfileEvaluator.Outcome {
        try await database.transaction(logger: Self.logger) { connection in
            try await evaluator.evaluate(profiles, in: workspace.id, now: now, on: connection)
        }
    }

    func createSegment(_ name: String, _ definition: String, requiredConsent: String? = nil, now: Date = Date()) async throws -> StoredSegment {
        try await database.transaction(logger: Self.logger) { connection in
            let draft = SegmentDraft(name: name, definition: try JSONValue.parse(definition), requiredConsent: requiredConsent)
            let segment = try await SegmentStore.create(draft, in: workspace.id, on: connection, logger: Self.logger)
            try await SegmentRecompute.runNewDefinition(segment, in: workspace.id, now: now, on: connection, logger: Self.logger)
            return segment
        }
    }

    func computed(_ profile: UUID) async throws -> [String: JSONValue]? {
        try await database.query(
            "SELECT computed::text FROM segment_profiles WHERE workspace_id = \(workspace.id) AND profile_id = \(profile)", logger: Self.logger
        ).decode(String.self).collectAll().first.map { try JSONValue.parse($0).objectValue ?? [:] }
    }

    func nextCheck(_ profile: UUID) async throws -> Date? {
        try await database.query(
            "SELECT next_check FROM segment_profiles WHERE workspace_id = \(workspace.id) AND profile_id = \(profile)", logger: Self.logger
        ).decode(Date?.self).collectAll().first ?? nil
    }

    /// The segment's members now.
    func members(_ segment: StoredSegment) async throws -> Set<UUID> {
        Set(try await database.query(
            """
            SELECT profile_id FROM memberships WHERE workspace_id = \(workspace.id) AND segment_id = \(segment.id) AND exited_at IS NULL
            """,
            logger: Self.logger
        ).decode(UUID.self).collectAll())
    }

    /// The `segments` topic's messages about this workspace, oldest first.
    func announcements() async throws -> [SegmentMembershipChange] {
        try await database.query(
            "SELECT payload::text FROM outbox WHERE topic = 'segments' AND workspace_id = \(workspace.id) ORDER BY id", logger: Self.logger
        ).decode(String.self).collectAll().map { try JSONCoding.decode(SegmentMembershipChange.self, from: Data($0.utf8)) }
    }
}
