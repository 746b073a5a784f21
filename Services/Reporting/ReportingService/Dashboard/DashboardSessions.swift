import Foundation
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import Logging
import PostgresNIO

/// The dashboard's sign-ins, in `dashboard_sessions`: the cookie carries a random token whose SHA-256 alone
/// is stored; each session holds the API key it was opened with (looked up again on every request, so a
/// revoked key ends its sessions at once) and a CSRF token for its forms.
struct DashboardSessions: Sendable {
    struct Session: Sendable {
        let key: APIKey
        let csrfToken: String
    }

    static let lifetime: TimeInterval = 12 * 3600

    let database: PostgresClient
    let logger: Logger

    /// A new session for `key`: the cookie's token.
    func open(for key: APIKey, now: Date = Date()) async throws -> String {
        let token = SecretToken.generate(prefix: "ks_")
        let csrf = SecretToken.generate(prefix: "kc_")
        try await database.query(
            """
            INSERT INTO dashboard_sessions (token_hash, workspace_id, api_key_id, csrf_token, expires_at)
            VALUES (\(SecretToken.hash(token)), \(key.workspaceID), \(key.id), \(csrf), \(now.addingTimeInterval(Self.lifetime)))
            """,
            logger: logger
        )
        // Ended sessions go as new ones come, so the table holds live ones only.
        try await database.query("DELETE FROM dashboard_sessions WHERE expires_at < \(now)", logger: logger)
        return token
    }

    /// The live session of a cookie's token, nil when it is unknown, ended or its key revoked.
    func find(_ token: String, now: Date = Date()) async throws -> Session? {
        guard token.utf8.count <= 200 else { return nil }
        for try await (workspaceID, id, name, role, csrf) in try await database.query(
            """
            SELECT k.workspace_id, k.id, k.name, k.role, s.csrf_token FROM dashboard_sessions s
            JOIN api_keys k ON k.workspace_id = s.workspace_id AND k.id = s.api_key_id
            WHERE s.token_hash = \(SecretToken.hash(token)) AND s.expires_at > \(now) AND k.revoked_at IS NULL
            """,
            logger: logger
        ).decode((UUID, UUID, String, String, String).self) {
            guard let role = APIRole(rawValue: role) else { return nil }
            return Session(key: APIKey(workspaceID: workspaceID, id: id, name: name, role: role), csrfToken: csrf)
        }
        return nil
    }

    func close(_ token: String) async throws {
        try await database.query("DELETE FROM dashboard_sessions WHERE token_hash = \(SecretToken.hash(token))", logger: logger)
    }
}
