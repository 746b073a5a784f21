import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import Logging
import PostgresNIO

/// Reading profiles for operators and services: by identifier, and as an explainable view.
struct ProfileReader: Sendable {
    let database: PostgresClient
    let directory: WorkspaceKeyCache
    let workspaceID: UUID
    var logger = Logger(label: "kinship.identity.reader")

    private func graph(_ connection: PostgresConnection) async throws -> IdentityGraph {
        let (rules, version) = try await RuleStore.current(for: workspaceID, on: connection, logger: logger)
        return IdentityGraph(
            workspaceID: workspaceID, keys: try await directory.keys(for: workspaceID), keyring: directory.keyring,
            rules: rules, ruleVersion: version, logger: logger
        )
    }

    /// The profile holding an identifier (normalised as events are), following merges.
    func resolve(type: String, value: String) async throws -> UUID? {
        try await database.withConnection { connection in
            let graph = try await graph(connection)
            guard let identifier = IdentifierNormalization.normalise(type: type, value, rules: graph.rules) else { return nil }
            for try await profile in try await connection.query(
                """
                SELECT coalesce(p.merged_into, p.id) FROM identities i JOIN profiles p ON p.workspace_id = i.workspace_id AND p.id = i.profile_id
                WHERE i.workspace_id = \(workspaceID) AND i.type = \(identifier.type) AND i.token = decode(\(graph.token(identifier)), 'hex')
                """,
                logger: logger
            ).decode(UUID.self) {
                return profile
            }
            return nil
        }
    }

    /// Who a data subject request about an identifier is about: its token, and when a profile holds it,
    /// that live profile, every profile merged into it and all their identifiers. Nil when the identifier
    /// cannot be one (empty, a placeholder).
    func privacySubject(type: String, value: String) async throws -> PrivacySubject? {
        try await database.withConnection { connection in
            let graph = try await graph(connection)
            guard let identifier = IdentifierNormalization.normalise(type: type, value, rules: graph.rules) else { return nil }
            let token = graph.token(identifier)
            var profiles: [UUID] = []
            var live: UUID?
            for try await (profile, isLive) in try await connection.query(
                """
                WITH RECURSIVE live AS (
                    SELECT coalesce(p.merged_into, p.id) AS id FROM identities i
                    JOIN profiles p ON p.workspace_id = i.workspace_id AND p.id = i.profile_id
                    WHERE i.workspace_id = \(workspaceID) AND i.type = \(identifier.type) AND i.token = decode(\(token), 'hex')
                ), covered AS (
                    SELECT id FROM live
                    UNION
                    SELECT p.id FROM profiles p JOIN covered c ON p.workspace_id = \(workspaceID) AND p.merged_into = c.id
                )
                SELECT id, id IN (SELECT id FROM live) FROM covered
                """,
                logger: logger
            ).decode((UUID, Bool).self) {
                profiles.append(profile)
                if isLive { live = profile }
            }
            var identifiers: [PrivacySubject.Token] = []
            for try await (type, token) in try await connection.query(
                "SELECT type, encode(token, 'hex') FROM identities WHERE workspace_id = \(workspaceID) AND profile_id = ANY(\(profiles)) ORDER BY type, token",
                logger: logger
            ).decode((String, String).self) {
                identifiers.append(PrivacySubject.Token(type: type, token: token))
            }
            return PrivacySubject(
                identifier: PrivacySubject.Token(type: identifier.type, token: token), profileId: live?.lowercased,
                profileIds: profiles.map(\.lowercased).sorted(), identifiers: identifiers
            )
        }
    }

    /// The profile's view (`ProfileRecord`), identifiers and personal traits masked unless `revealPII`.
    func view(of requested: UUID, revealPII: Bool) async throws -> ProfileView? {
        let record = try await database.withConnection { connection in
            try await ProfileRecord.read(requested, in: workspaceID, parts: .identity, on: connection, logger: logger)
        }
        return try record?.view(keyring: directory.keyring, revealPII: revealPII)
    }
}
