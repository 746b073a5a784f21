import Foundation
import KinshipCore
import Logging
import PostgresNIO

/// The audit log (`audit_log`): who did what to which, when. Changes of configuration and privacy
/// requests are written in the transaction that makes them; reads of clear personal data (an admin's
/// profile view, `kinship profiles show --pii`) as they are answered.
public struct AuditLog: Sendable {
    public struct Entry: Sendable, Equatable {
        public let at: Date
        public let actor: String
        public let action: String
        public let target: String?
        public let details: JSONValue
    }

    /// The action of a read of a profile's personal values in clear.
    public static let personalDataRead = "profile.pii_read"

    let database: PostgresClient
    let logger: Logger

    public init(database: PostgresClient, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    public func record(_ action: String, target: String?, by actor: String, in workspaceID: UUID, details: JSONValue = .object([:])) async throws {
        try await database.withConnection { connection in
            try await Self.record(action, target: target, by: actor, in: workspaceID, details: details, on: connection, logger: logger)
        }
    }

    /// The entry, in the caller's transaction: written if and only if what it records is.
    public static func record(
        _ action: String, target: String?, by actor: String, in workspaceID: UUID, details: JSONValue = .object([:]),
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.query(
            """
            INSERT INTO audit_log (workspace_id, actor, action, target, details)
            VALUES (\(workspaceID), \(actor), \(action), \(target), \(details.serialized())::jsonb)
            """,
            logger: logger
        )
    }

    /// The workspace's entries, newest first; only `action` (or actions starting with `action.` when it
    /// ends with `.`) when given.
    public func entries(in workspaceID: UUID, action: String? = nil, limit: Int = 100) async throws -> [Entry] {
        let prefix = action.map { $0.hasSuffix(".") ? $0 : nil } ?? nil
        var entries: [Entry] = []
        for try await (at, actor, action, target, details) in try await database.query(
            """
            SELECT at, actor, action, target, details::text FROM audit_log
            WHERE workspace_id = \(workspaceID)
              AND (\(action)::text IS NULL OR action = \(action) OR (\(prefix)::text IS NOT NULL AND starts_with(action, \(prefix))))
            ORDER BY at DESC, id DESC LIMIT \(limit)
            """,
            logger: logger
        ).decode((Date, String, String, String?, String).self) {
            entries.append(Entry(at: at, actor: actor, action: action, target: target, details: (try? JSONValue.parse(details)) ?? .object([:])))
        }
        return entries
    }
}
