import Foundation
import Hummingbird
import KinshipCore
import KinshipDatabase
import KinshipService

/// `/v1/keys`: an admin creates, lists and revokes the workspace's API keys (as `kinship keys` does). A
/// revoked key is refused from its next request on.
struct KeyRoutes: Sendable {
    let access: APIKeyAuthenticator
    let tenancy: TenancyStore

    func add(to router: Router<KinshipRequestContext>) {
        let routes = router.group("v1/keys")
        routes.get { request, context in try await list(request, context) }
        routes.post { request, context in try await create(request, context) }
        routes.delete(":id") { request, context in try await revoke(request, context) }
    }

    private func list(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let key = try await access.authenticate(request, context, requiring: .admin)
        let workspace = try await tenancy.workspace(.id(key.workspaceID))
        let keys = try await tenancy.apiKeys(in: workspace).map {
            PublicAPIKey(id: $0.key.id.lowercased, name: $0.key.name, role: $0.key.role.rawValue, createdAt: $0.createdAt, revokedAt: $0.revokedAt, secret: nil)
        }
        return try .json(encoding: Page(items: keys, nextCursor: nil))
    }

    /// `POST /v1/keys` with `{"name", "role"}` → 201 and the key, its secret shown this once.
    private func create(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        var request = request
        let key = try await access.authenticate(request, context, requiring: .admin)
        guard let draft = try? JSONCoding.decoder().decode(APIKeyDraft.self, from: try await request.operatorBody()) else {
            throw KinshipError.badRequest(.invalidBody, "The body must be {\"name\": …, \"role\": \"admin\" | \"analyst\" | \"viewer\"}.")
        }
        let name = draft.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(name.count) else { throw KinshipError.badRequest(.invalidBody, "name must be 1 to 100 characters.") }
        guard let role = APIRole(rawValue: draft.role) else { throw KinshipError.badRequest(.invalidBody, "role must be admin, analyst or viewer.") }
        let workspace = try await tenancy.workspace(.id(key.workspaceID))
        let created = try await tenancy.createAPIKey(in: workspace, name: name, role: role, actor: "api key \(key.name) (\(key.id.lowercased))")
        let view = PublicAPIKey(
            id: created.owner.id.lowercased, name: name, role: role.rawValue, createdAt: Date(), revokedAt: nil, secret: created.secret
        )
        return try .json(encoding: view, status: .created)
    }

    /// `DELETE /v1/keys/{id}`: revokes the key (the caller's own too, if it asks).
    private func revoke(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let key = try await access.authenticate(request, context, requiring: .admin)
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw KinshipError.notFound("No such API key.") }
        let workspace = try await tenancy.workspace(.id(key.workspaceID))
        let (revoked, _) = try await tenancy.revokeAPIKey(.id(id), in: workspace, actor: "api key \(key.name) (\(key.id.lowercased))")
        let record = try await tenancy.apiKeys(in: workspace).first { $0.key.id == revoked.id }
        return try .json(encoding: PublicAPIKey(
            id: revoked.id.lowercased, name: revoked.name, role: revoked.role.rawValue, createdAt: record?.createdAt ?? Date(),
            revokedAt: record?.revokedAt, secret: nil
        ))
    }
}
