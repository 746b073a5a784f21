import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipService
import Logging
import PostgresNIO

/// A workspace's identity rules in the database: the current version, read per event so an edit applies
/// to the next one, and every earlier version kept in `identity_rules_history`.
enum RuleStore {
    /// The workspace's rules and their version (the defaults, version 0, until first edited).
    static func current(for workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> (IdentityRules, Int) {
        for try await (version, text) in try await connection.query(
            "SELECT version, rules::text FROM identity_rules WHERE workspace_id = \(workspaceID)", logger: logger
        ).decode((Int, String).self) {
            return (try JSONCoding.decode(IdentityRules.self, from: Data(text.utf8)), version)
        }
        return (IdentityRules(), 0)
    }

    /// Makes `rules` the workspace's current rules; returns their version (one more than the last).
    static func replace(with rules: IdentityRules, for workspaceID: UUID, by actor: String, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        let text = String(decoding: try JSONCoding.encoder().encode(rules), as: UTF8.self)
        var version = 0
        for try await stored in try await connection.query(
            """
            INSERT INTO identity_rules (workspace_id, version, rules) VALUES (\(workspaceID), 1, \(text)::jsonb)
            ON CONFLICT (workspace_id) DO UPDATE SET version = identity_rules.version + 1, rules = excluded.rules, updated_at = now()
            RETURNING version
            """,
            logger: logger
        ).decode(Int.self) {
            version = stored
        }
        try await connection.query(
            """
            INSERT INTO identity_rules_history (workspace_id, version, rules, updated_by)
            VALUES (\(workspaceID), \(version), \(text)::jsonb, \(actor))
            """,
            logger: logger
        )
        return version
    }
}
