import Foundation
import Hummingbird
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import KinshipService
import PostgresNIO

/// `/v1/profiles`: a person's 360 view, a lookup by identifier, and their events. Analysts and admins
/// only (a viewer sees aggregates); personal values in clear for admins, masked for analysts.
struct ProfileRoutes: Sendable {
    let access: APIKeyAuthenticator
    let reader: ProfileReader

    func add(to router: Router<KinshipRequestContext>) {
        let routes = router.group("v1/profiles")
        routes.get { request, context in try await lookup(request, context) }
        routes.get("search") { request, context in try await search(request, context) }
        routes.get(":id") { request, context in try await show(request, context) }
        routes.get(":id/events") { request, context in try await events(request, context) }
    }

    /// `GET /v1/profiles/{id}`: the 360 view of the profile, or of the one it was merged into.
    private func show(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let key = try await access.authenticate(request, context, requiring: .analyst)
        let id = try Self.profileParameter(context)
        return .json(try await reader.view(of: id, for: key, logger: context.logger).jsonValue)
    }

    /// `GET /v1/profiles?identifier_type=email&identifier_value=…`: the 360 view of the profile that holds
    /// the identifier (identity normalises it as it does at ingestion).
    private func lookup(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let key = try await access.authenticate(request, context, requiring: .analyst)
        let parameters = request.uri.queryParameters
        guard let type = parameters.get("identifier_type"), !type.isEmpty, let value = parameters.get("identifier_value"), !value.isEmpty else {
            throw KinshipError.badRequest(.invalidParameter, "identifier_type and identifier_value are required.")
        }
        let id = try await reader.resolve(type: type, value: value, for: key)
        return .json(try await reader.view(of: id, for: key, logger: context.logger).jsonValue)
    }

    /// `GET /v1/profiles/search?q=…`: the profiles holding `q` as an e-mail, phone, user id or anonymous id.
    private func search(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let key = try await access.authenticate(request, context, requiring: .analyst)
        let text = try Self.searchText(request)
        return try .json(encoding: Page(items: try await reader.search(text, for: key), nextCursor: nil))
    }

    /// `GET /v1/profiles/{id}/events?limit=50&cursor=…`: newest first.
    private func events(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let key = try await access.authenticate(request, context, requiring: .analyst)
        let id = try Self.profileParameter(context)
        let limit = try Self.limit(request)
        let cursor = try request.uri.queryParameters.get("cursor").map(ProfileEvents.Cursor.init(decoding:))
        return try .json(encoding: try await reader.events(of: id, for: key, limit: limit, after: cursor, logger: context.logger))
    }

    /// `q`: what a person typed to find someone, trimmed.
    static func searchText(_ request: Request) throws -> String {
        guard let text = request.uri.queryParameters.get("q")?.trimmingCharacters(in: .whitespaces), (1...320).contains(text.count) else {
            throw KinshipError.badRequest(.invalidParameter, "q must be 1 to 320 characters: an e-mail, a phone, a user id or an anonymous id.")
        }
        return text
    }

    static func profileParameter(_ context: KinshipRequestContext) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw KinshipError.notFound("No such profile.") }
        return id
    }

    /// `limit`: 1 to 200, 50 when absent.
    static func limit(_ request: Request, default defaultLimit: Int = 50) throws -> Int {
        guard let text = request.uri.queryParameters.get("limit") else { return defaultLimit }
        guard let limit = Int(text), (1...200).contains(limit) else {
            throw KinshipError.badRequest(.invalidParameter, "limit must be a whole number from 1 to 200.")
        }
        return limit
    }
}

/// The live profile an id stands for: itself, or the one it was (in turn) merged into.
enum LiveProfile {
    static func follow(_ id: UUID, in workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> UUID? {
        var current = id
        for _ in 0..<64 {
            let rows = try await connection.query(
                "SELECT merged_into FROM profiles WHERE workspace_id = \(workspaceID) AND id = \(current)", logger: logger
            ).decode(UUID?.self).collectAll()
            guard let row = rows.first else { return nil }
            guard let next = row else { return current }
            current = next
        }
        return nil
    }
}
