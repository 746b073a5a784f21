import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipTestSupport
import PostgresNIO
import ReportingService

/// A workspace with profiles, identifiers and events as ingestion and identity leave them (`events`,
/// `event_profiles`, `profiles`, `identities`) and as reporting's worker rolls them up (`report_events`), for
/// the reports to read.
struct ReportFixture: Sendable {
    let database: PostgresClient
    let workspaceID: UUID
    let source: UUID
    static let logger = TestDatabase.logger

    init(database: PostgresClient) async throws {
        self.database = database
        let tenancy = TenancyStore(database: database, keyring: TestKeys.keyring, logger: Self.logger)
        let workspace = try await tenancy.createWorkspace(name: TestKeys.uniqueName("rep"), actor: "test")
        workspaceID = workspace.id
        source = try await tenancy.createSource(in: workspace, name: "web", actor: "test").owner.id
    }

    /// A new live profile with identifiers of the given types (`user_id`, `email`, `anonymous_id`) and traits
    /// (kept as identity keeps them: `{value, at, source}` each). Reports never open a data key or a sealed
    /// value, so placeholders stand in for them.
    func profile(identifiedBy types: [String] = [], traits: [String: JSONValue] = [:]) async throws -> UUID {
        let id = UUID()
        let stored = JSONValue.object(traits.mapValues { .object(["value": $0, "at": "2026-01-01T00:00:00.000Z", "source": "test"]) })
        try await database.query(
            """
            INSERT INTO profiles (workspace_id, id, data_key, traits)
            VALUES (\(workspaceID), \(id), '\\x00'::bytea, \(stored.serialized())::jsonb)
            """,
            logger: Self.logger
        )
        for type in types {
            let token = Data(UUID().uuidString.utf8)
            try await database.query(
                """
                INSERT INTO identities (workspace_id, type, token, value_sealed, profile_id)
                VALUES (\(workspaceID), \(type), \(token), '\\x00'::bytea, \(id))
                """,
                logger: Self.logger
            )
        }
        return id
    }

    /// Stores a track event as ingestion does, attached to `profile` as identity does (nil: not resolved yet).
    @discardableResult
    func track(_ name: String, of profile: UUID?, at time: String, _ properties: [String: JSONValue] = [:], rolledUp: Bool = true) async throws -> EventReference {
        try await store(type: "track", name: name, of: profile, at: time, ["properties": .object(properties)], rolledUp: rolledUp)
    }

    /// Stores an identify call with its traits, attached to `profile`.
    func identify(_ profile: UUID?, at time: String, traits: [String: JSONValue]) async throws {
        try await store(type: "identify", name: nil, of: profile, at: time, ["traits": .object(traits)])
    }

    /// Stores a page view, with `context.campaign` when given.
    @discardableResult
    func page(of profile: UUID?, at time: String, campaign: [String: JSONValue]? = nil, rolledUp: Bool = true) async throws -> EventReference {
        try await store(
            type: "page", name: nil, of: profile, at: time, ["context": .object(campaign.map { ["campaign": .object($0)] } ?? [:])], rolledUp: rolledUp
        )
    }

    /// Stores the event, and unless `rolledUp` is false rolls it up as reporting's worker does on its
    /// `events` and `resolutions` messages.
    @discardableResult
    private func store(
        type: String, name: String?, of profile: UUID?, at timeText: String, _ parts: [String: JSONValue], rolledUp: Bool = true
    ) async throws -> EventReference {
        let time = Self.date(timeText)
        let messageId = UUID().uuidString
        var message: [String: JSONValue] = ["type": .string(type), "messageId": .string(messageId), "timestamp": .string(timeText)]
        if let name { message["event"] = .string(name) }
        message.merge(parts) { _, new in new }
        // Ingestion keeps arrival times to the millisecond, as its outbox references spell them.
        let receivedAt = Timestamp.format(milliseconds: Timestamp.milliseconds(Date()))
        let reference = EventReference(messageId: messageId, receivedAt: receivedAt)
        try await database.query(
            """
            INSERT INTO events (workspace_id, received_at, message_id, source_id, type, event, event_time, message)
            VALUES (\(workspaceID), \(receivedAt)::timestamptz, \(messageId), \(source), \(type), \(name), \(time), \(JSONValue.object(message).serialized())::jsonb)
            """,
            logger: Self.logger
        )
        if let profile {
            try await database.query(
                """
                INSERT INTO event_profiles (workspace_id, received_at, message_id, profile_id, event_time)
                VALUES (\(workspaceID), \(receivedAt)::timestamptz, \(messageId), \(profile), \(time))
                """,
                logger: Self.logger
            )
        }
        if rolledUp { try await rollUp([reference]) }
        return reference
    }

    /// Rolls these events up as reporting's worker does when their messages come.
    func rollUp(_ references: [EventReference]) async throws {
        try await database.withConnection { connection in
            try await ReportRollupWriter(logger: Self.logger).roll(references, in: workspaceID, on: connection)
        }
    }

    /// Keeps segmentation's computed traits of `profile` as its evaluation and RFM scoring leave them.
    func computed(_ profile: UUID, _ traits: [String: JSONValue]) async throws {
        try await database.query(
            """
            INSERT INTO segment_profiles (workspace_id, profile_id, computed)
            VALUES (\(workspaceID), \(profile), \(JSONValue.object(traits).serialized())::jsonb)
            """,
            logger: Self.logger
        )
    }

    /// Folds `from` into `into` as identity's merge leaves the tables.
    func merge(_ from: UUID, into: UUID) async throws {
        try await database.query(
            "UPDATE profiles SET merged_into = \(into) WHERE workspace_id = \(workspaceID) AND id = \(from)", logger: Self.logger
        )
        try await database.query(
            "UPDATE event_profiles SET profile_id = \(into) WHERE workspace_id = \(workspaceID) AND profile_id = \(from)", logger: Self.logger
        )
        try await database.withConnection { connection in
            try await ReportRollupWriter(logger: Self.logger).repoint([from, into], in: workspaceID, on: connection)
        }
    }

    /// Runs a report on one connection of the pool.
    func run<T: Sendable>(_ report: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await database.withConnection { connection in try await report(connection) }
    }

    static func date(_ text: String) -> Date { Timestamp.parse(text)! }

    static func period(_ from: String, _ to: String) -> ReportPeriod { ReportPeriod(from: date(from), to: date(to)) }
}
