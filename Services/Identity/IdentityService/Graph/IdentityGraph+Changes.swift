import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import PostgresNIO

extension IdentityGraph {
    /// A new, empty profile and its freshly generated data key.
    func createProfile(on connection: PostgresConnection) async throws -> (UUID, DataKey) {
        let id = UUID()
        let key = DataKey.generate()
        let wrapped = try keyring.wrap(key)
        try await connection.query(
            "INSERT INTO profiles (workspace_id, id, data_key) VALUES (\(workspaceID), \(id), \(wrapped))",
            logger: logger
        )
        return (id, key)
    }

    /// Counts the profiles' identifiers again (`profiles.identity_counts`), after identifiers moved
    /// between them outside a batch (an unmerge).
    func recountIdentities(of profiles: [UUID], on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            UPDATE profiles p SET identity_counts = coalesce((
              SELECT jsonb_object_agg(c.type, c.n)
              FROM (SELECT type, count(*)::int AS n FROM identities i WHERE i.workspace_id = p.workspace_id AND i.profile_id = p.id GROUP BY type) AS c
            ), '{}')
            WHERE p.workspace_id = \(workspaceID) AND p.id = ANY(\(profiles)::uuid[])
            """,
            logger: logger
        )
    }

    /// The profile's own data key, which seals its identifier values and PII traits.
    func profileKey(_ profile: UUID, on connection: PostgresConnection) async throws -> DataKey {
        for try await wrapped in try await connection.query(
            "SELECT data_key FROM profiles WHERE workspace_id = \(workspaceID) AND id = \(profile)", logger: logger
        ).decode(Data.self) {
            return try keyring.unwrap(wrapped)
        }
        throw KinshipError.notFound("Profile \(profile) does not exist.")
    }

    func loadTraits(_ profile: UUID, key: DataKey, on connection: PostgresConnection) async throws -> ProfileTraits {
        for try await text in try await connection.query(
            "SELECT traits::text FROM profiles WHERE workspace_id = \(workspaceID) AND id = \(profile)", logger: logger
        ).decode(String.self) {
            let stored = try JSONValue.parse(text)
            return try ProfileTraits.open(stored, key: key, workspaceID: workspaceID, profileID: profile)
        }
        return ProfileTraits()
    }

    func saveTraits(_ traits: ProfileTraits, of profile: UUID, key: DataKey, on connection: PostgresConnection) async throws {
        let stored = try traits.stored(key: key, workspaceID: workspaceID, profileID: profile, sealing: sealing)
        let text = stored.serialized()
        try await connection.query(
            "UPDATE profiles SET traits = \(text)::jsonb, updated_at = now() WHERE workspace_id = \(workspaceID) AND id = \(profile)",
            logger: logger
        )
    }

    var sealing: SealedFields { SealedFields(key: keys.dataKey, workspaceID: workspaceID, personalData: personalData) }

    /// What an identifier's sealed value is bound to: its workspace and type.
    func identityContext(_ type: String) -> Data {
        Self.identityContext(type, workspaceID: workspaceID)
    }

    static func identityContext(_ type: String, workspaceID: UUID) -> Data {
        IdentifierSealing.context(type: type, workspaceID: workspaceID)
    }

    /// One identifier row of a profile: its type, blind-index token (hex), sealed value and first sighting.
    struct Member: Sendable, Hashable {
        let type: String
        let token: String
        let sealed: Data
        let firstSeenAt: Date
    }

    func members(of profile: UUID, on connection: PostgresConnection) async throws -> [Member] {
        try await members(of: [profile], on: connection)[profile] ?? []
    }

    func members(of profiles: [UUID], on connection: PostgresConnection) async throws -> [UUID: [Member]] {
        guard !profiles.isEmpty else { return [:] }
        var members: [UUID: [Member]] = [:]
        for try await (profile, type, token, sealed, firstSeen) in try await connection.query(
            """
            SELECT profile_id, type, encode(token, 'hex'), value_sealed, first_seen_at FROM identities
            WHERE workspace_id = \(workspaceID) AND profile_id = ANY(\(profiles))
            """,
            logger: logger
        ).decode((UUID, String, String, Data, Date).self) {
            members[profile, default: []].append(Member(type: type, token: token, sealed: sealed, firstSeenAt: firstSeen))
        }
        return members
    }

    /// An identifier going to another profile: its value is re-sealed under that profile's key.
    struct Move {
        let member: Member
        let from: DataKey
        let to: UUID
        let key: DataKey
    }

    /// The `= ANY` conditions repeat the join so the primary key is probed whatever the statistics say.
    func move(_ moves: [Move], on connection: PostgresConnection) async throws {
        guard !moves.isEmpty else { return }
        let resealed = try moves.map {
            let value = try $0.from.open($0.member.sealed, context: identityContext($0.member.type))
            return try $0.key.seal(value, context: identityContext($0.member.type)).base64String
        }
        try await connection.query(
            """
            UPDATE identities i SET profile_id = n.p, value_sealed = decode(n.v, 'base64')
            FROM unnest(\(moves.map(\.member.type))::text[], \(moves.map(\.member.token))::text[], \(resealed)::text[], \(moves.map(\.to))::uuid[]) AS n(t, k, v, p)
            WHERE i.workspace_id = \(workspaceID) AND i.type = n.t AND i.token = decode(n.k, 'hex')
              AND i.type = ANY(\(Array(Set(moves.map(\.member.type))))::text[])
              AND i.token = ANY(ARRAY(SELECT decode(k, 'hex') FROM unnest(\(moves.map(\.member.token))::text[]) AS k))
            """,
            logger: logger
        )
    }
}
