import Foundation
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import Logging
import PostgresNIO

/// The e-mails and phones of profiles, opened with each profile's key and given out only as their SHA-256:
/// what an audience upload needs, and nothing a reader could use to contact the person.
struct AudienceReader: Sendable {
    let directory: WorkspaceKeyCache
    let workspaceID: UUID
    var logger = Logger(label: "kinship.identity.audience")

    /// The most profiles one request may name.
    static let maximumProfiles = 1000

    func hashes(of profiles: [UUID], on connection: PostgresConnection) async throws -> AudienceHashes {
        guard !profiles.isEmpty else { return AudienceHashes(profiles: []) }
        var keys: [UUID: DataKey] = [:]
        for try await (id, wrapped) in try await connection.query(
            "SELECT id, data_key FROM profiles WHERE workspace_id = \(workspaceID) AND id = ANY(\(profiles)::uuid[]) AND merged_into IS NULL",
            logger: logger
        ).decode((UUID, Data).self) {
            keys[id] = try directory.keyring.unwrap(wrapped)
        }
        var emails: [UUID: [String]] = [:]
        var phones: [UUID: [String]] = [:]
        for try await (profile, type, sealed) in try await connection.query(
            """
            SELECT profile_id, type, value_sealed FROM identities
            WHERE workspace_id = \(workspaceID) AND profile_id = ANY(\(Array(keys.keys))::uuid[]) AND type IN ('email', 'phone')
            ORDER BY profile_id, type, first_seen_at
            """,
            logger: logger
        ).decode((UUID, String, Data).self) {
            guard let key = keys[profile] else { continue }
            let value = try key.openString(sealed, context: IdentityGraph.identityContext(type, workspaceID: workspaceID))
            let hash = AudienceHash.sha256Hex(value)
            if type == Identifier.email { emails[profile, default: []].append(hash) } else { phones[profile, default: []].append(hash) }
        }
        let held = Set(emails.keys).union(phones.keys).sorted { $0.lowercased < $1.lowercased }
        return AudienceHashes(profiles: held.map {
            AudienceHashes.Profile(profileId: $0.lowercased, emails: emails[$0] ?? [], phones: phones[$0] ?? [])
        })
    }
}
