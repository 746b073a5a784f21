import Foundation
import KinshipCore
import PostgresNIO

/// Which API key an operator means: names need not be unique (every key is `default` unless named), ids are.
public enum APIKeySelector: Sendable, Equatable {
    case name(String)
    case id(UUID)
}

/// What operators do to API keys after creating them: list and revoke.
///
/// `apiKey(forSecret:)` reads the table each time, so a revoked key is refused from the next lookup on.
extension TenancyStore {
    /// The workspace's API keys, in use or revoked, by name then age.
    public func apiKeys(in workspace: Workspace) async throws -> [APIKeyRecord] {
        var result: [APIKeyRecord] = []
        for try await (id, name, role, createdAt, revokedAt) in try await database.query(
            "SELECT id, name, role, created_at, revoked_at FROM api_keys WHERE workspace_id = \(workspace.id) ORDER BY name, created_at, id",
            logger: logger
        ).decode((UUID, String, String, Date, Date?).self) {
            guard let role = APIRole(rawValue: role) else { continue }
            result.append(APIKeyRecord(
                key: APIKey(workspaceID: workspace.id, id: id, name: name, role: role), createdAt: createdAt, revokedAt: revokedAt
            ))
        }
        return result
    }

    /// Revokes the key for good. `.unchanged` when it was revoked already; `not_found` when there is no such
    /// key; `ambiguous_key_name` when several keys in use carry the name (then revoke by id).
    public func revokeAPIKey(_ selector: APIKeySelector, in workspace: Workspace, actor: String) async throws -> (key: APIKey, change: StateChange) {
        try await database.transaction(logger: logger) { connection in
            let candidates = try await matchingKeys(selector, in: workspace, connection)
            let inUse = candidates.filter { $0.revokedAt == nil }
            if inUse.count > 1 {
                throw KinshipError(
                    code: .ambiguousKeyName, status: .conflict,
                    message: "\(inUse.count) API keys in use are named '\(inUse[0].key.name)' (\(inUse.map(\.key.id.lowercased).joined(separator: ", "))): revoke one by id."
                )
            }
            guard let target = inUse.first ?? candidates.first else {
                switch selector {
                case .name(let name): throw KinshipError.notFound("Workspace '\(workspace.name)' has no API key named '\(name)'.")
                case .id(let id): throw KinshipError.notFound("Workspace '\(workspace.name)' has no API key with id \(id.lowercased).")
                }
            }
            guard target.revokedAt == nil else { return (target.key, .unchanged) }
            try await connection.query(
                "UPDATE api_keys SET revoked_at = now() WHERE workspace_id = \(workspace.id) AND id = \(target.key.id)", logger: logger
            )
            try await audit(
                connection, workspaceID: workspace.id, actor: actor, action: "api_key.revoked",
                target: "\(target.key.name) (\(target.key.id.lowercased))"
            )
            return (target.key, .changed)
        }
    }

    /// The keys the selector names, locked so a concurrent revocation waits for this one; newest first.
    private func matchingKeys(_ selector: APIKeySelector, in workspace: Workspace, _ connection: PostgresConnection) async throws -> [APIKeyRecord] {
        let query: PostgresQuery = switch selector {
        case .name(let name):
            "SELECT id, name, role, created_at, revoked_at FROM api_keys WHERE workspace_id = \(workspace.id) AND name = \(name) ORDER BY created_at DESC FOR UPDATE"
        case .id(let id):
            "SELECT id, name, role, created_at, revoked_at FROM api_keys WHERE workspace_id = \(workspace.id) AND id = \(id) FOR UPDATE"
        }
        var result: [APIKeyRecord] = []
        for try await (id, name, role, createdAt, revokedAt) in try await connection.query(query, logger: logger)
            .decode((UUID, String, String, Date, Date?).self) {
            guard let role = APIRole(rawValue: role) else { continue }
            result.append(APIKeyRecord(key: APIKey(workspaceID: workspace.id, id: id, name: name, role: role), createdAt: createdAt, revokedAt: revokedAt))
        }
        return result
    }
}
