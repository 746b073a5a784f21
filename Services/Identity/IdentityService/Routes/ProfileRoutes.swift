import Foundation
import Hummingbird
import PostgresNIO
import Shared

/// Internal HTTP (internal token required): find a profile by an identifier, and show one.
struct ProfileRoutes: Sendable {
    let directory: WorkspaceDirectory
    let database: PostgresClient
    let internalToken: String

    func add(to router: Router<KinshipRequestContext>) {
        let routes = router.group("internal/v1").add(middleware: InternalTokenMiddleware(token: internalToken))
        routes.get("resolve") { request, _ in try await resolve(request) }
        routes.get("profiles/:id") { request, context in try await show(request, context) }
    }

    private func workspace(_ request: Request) throws -> UUID {
        guard let text = request.uri.queryParameters.get("workspace"), let id = UUID(uuidString: text) else {
            throw KinshipError.badRequest("missing_workspace", "workspace (the workspace id) is required.")
        }
        return id
    }

    /// `GET /internal/v1/resolve?workspace=…&type=email&value=…` → the profile id, following merges.
    private func resolve(_ request: Request) async throws -> Response {
        let workspaceID = try workspace(request)
        guard let type = request.uri.queryParameters.get("type"), let value = request.uri.queryParameters.get("value") else {
            throw KinshipError.badRequest("missing_field", "type and value are required.")
        }
        let profile = try await ProfileReader(database: database, directory: directory, workspaceID: workspaceID).resolve(type: type, value: value)
        guard let profile else { throw KinshipError.notFound("No profile holds this identifier.") }
        return try .json(encoding: ["profileId": profile.uuidString.lowercased()])
    }

    /// `GET /internal/v1/profiles/{id}?workspace=…[&pii=true]`: identifiers (masked unless `pii=true`),
    /// traits with their source and time, and merge history.
    private func show(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let workspaceID = try workspace(request)
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw KinshipError.notFound() }
        let reveal = request.uri.queryParameters.get("pii") == "true"
        let reader = ProfileReader(database: database, directory: directory, workspaceID: workspaceID)
        guard let view = try await reader.view(of: id, revealPII: reveal) else { throw KinshipError.notFound("No such profile.") }
        return try .json(encoding: view)
    }
}
