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

    func view(of requested: UUID, revealPII: Bool) async throws -> ProfileView? {
        try await database.withConnection { connection in
            let graph = try await graph(connection)
            var root: (UUID, Date, Bool)?
            for try await row in try await connection.query(
                """
                SELECT p.id, p.created_at, coalesce((p.flags->>'large')::boolean, false) FROM profiles p
                WHERE p.workspace_id = \(workspaceID)
                  AND p.id = (SELECT coalesce(merged_into, id) FROM profiles WHERE workspace_id = \(workspaceID) AND id = \(requested))
                """,
                logger: logger
            ).decode((UUID, Date, Bool).self) {
                root = row
            }
            guard let (id, createdAt, large) = root else { return nil }
            let key = try await graph.profileKey(id, on: connection)
            var identifiers: [ProfileView.Identifier] = []
            for try await (type, sealed, first, last) in try await connection.query(
                "SELECT type, value_sealed, first_seen_at, last_seen_at FROM identities WHERE workspace_id = \(workspaceID) AND profile_id = \(id) ORDER BY type, first_seen_at",
                logger: logger
            ).decode((String, Data, Date, Date).self) {
                let value = try key.openString(sealed, context: graph.identityContext(type))
                identifiers.append(.init(type: type, value: revealPII ? value : Masking.mask(value, type: type), firstSeenAt: first, lastSeenAt: last))
            }
            var traits = try await graph.loadTraits(id, key: key, on: connection).values
            if !revealPII {
                for (name, entry) in traits where graph.sealing.sealsTrait(name, entry.value) {
                    traits[name]?.value = entry.value.stringValue.map { .string(Masking.mask($0, type: name.lowercased())) } ?? .string("***")
                }
            }
            // Traits keep their source's id; the view adds its name, for people.
            let sourceIDs = Array(Set(traits.values.compactMap { UUID(uuidString: $0.source) }))
            var sourceNames: [UUID: String] = [:]
            for try await (source, name) in try await connection.query(
                "SELECT id, name FROM sources WHERE workspace_id = \(workspaceID) AND id = ANY(\(sourceIDs))", logger: logger
            ).decode((UUID, String).self) {
                sourceNames[source] = name
            }
            var merges: [ProfileView.Merge] = []
            for try await (from, message, version, at) in try await connection.query(
                "SELECT from_profile, message_id, rule_version, merged_at FROM profile_merges WHERE workspace_id = \(workspaceID) AND into_profile = \(id) ORDER BY id",
                logger: logger
            ).decode((UUID, String, Int, Date).self) {
                merges.append(.init(fromProfileId: from.lowercased, messageId: message, ruleVersion: version, mergedAt: at))
            }
            var splits: [ProfileView.Split] = []
            for try await (from, parts, reason, by, at) in try await connection.query(
                """
                SELECT profile_id, new_profiles, reason, requested_by, split_at FROM profile_splits
                WHERE workspace_id = \(workspaceID) AND (profile_id = \(id) OR \(id) = ANY(new_profiles)) ORDER BY id
                """,
                logger: logger
            ).decode((UUID, [UUID], String, String, Date).self) {
                splits.append(.init(profileId: from.lowercased, newProfileIds: parts.map(\.lowercased), reason: reason, requestedBy: by, splitAt: at))
            }
            return ProfileView(
                profileId: id.lowercased, requestedProfileId: requested == id ? nil : requested.lowercased,
                createdAt: createdAt, flaggedLarge: large, identifiers: identifiers,
                traits: traits.mapValues {
                    ProfileView.Trait(value: $0.value, at: $0.at, source: $0.source, sourceName: UUID(uuidString: $0.source).flatMap { sourceNames[$0] })
                },
                merges: merges, splits: splits
            )
        }
    }
}

/// What a viewer without PII rights sees of a value: enough to tell two apart, not to read them.
enum Masking {
    static func mask(_ value: String, type: String) -> String {
        if type == Identifier.email, let at = value.firstIndex(of: "@") {
            return String(value[..<at].prefix(1)) + "***" + value[at...]
        }
        if type == Identifier.phone, value.count > 4 {
            return String(value.prefix(3)) + String(repeating: "*", count: max(value.count - 7, 1)) + String(value.suffix(4))
        }
        return value.count <= 4 ? "***" : String(value.prefix(2)) + "***" + String(value.suffix(2))
    }
}
