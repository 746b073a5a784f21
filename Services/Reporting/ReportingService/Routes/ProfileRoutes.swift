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
    let identity: Upstream
    let segmentation: Upstream
    let database: PostgresClient
    let workspaceKeys: WorkspaceKeyCache

    func add(to router: Router<KinshipRequestContext>) {
        let routes = router.group("v1/profiles")
        routes.get { request, context in try await lookup(request, context) }
        routes.get(":id") { request, context in try await show(request, context) }
        routes.get(":id/events") { request, context in try await events(request, context) }
    }

    /// `GET /v1/profiles/{id}`: the 360 view of the profile, or of the one it was merged into.
    private func show(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let key = try await access.authenticate(request, context, requiring: .analyst)
        let id = try Self.profileParameter(context)
        return try .json(encoding: try await view(of: id, for: key, context))
    }

    /// `GET /v1/profiles?identifier_type=email&identifier_value=…`: the 360 view of the profile that holds
    /// the identifier (identity normalises it as it does at ingestion).
    private func lookup(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let key = try await access.authenticate(request, context, requiring: .analyst)
        let parameters = request.uri.queryParameters
        guard let type = parameters.get("identifier_type"), !type.isEmpty, let value = parameters.get("identifier_value"), !value.isEmpty else {
            throw KinshipError.badRequest(.invalidParameter, "identifier_type and identifier_value are required.")
        }
        let resolved = try await identity.call(
            .get, "/internal/v1/resolve", query: ["workspace": key.workspaceID.lowercased, "type": type, "value": value], as: ResolvedProfile.self
        )
        guard let id = UUID(uuidString: resolved.profileId) else { throw KinshipError.notFound("No profile holds this identifier.") }
        return try .json(encoding: try await view(of: id, for: key, context))
    }

    /// `GET /v1/profiles/{id}/events?limit=50&cursor=…`: newest first.
    private func events(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let key = try await access.authenticate(request, context, requiring: .analyst)
        let id = try Self.profileParameter(context)
        let limit = try Self.limit(request)
        let cursor = try request.uri.queryParameters.get("cursor").map(ProfileEvents.Cursor.init(decoding:))
        let opener = try await self.opener(for: key)
        let page = try await database.withConnection { connection in
            guard let live = try await LiveProfile.follow(id, in: key.workspaceID, on: connection, logger: context.logger) else {
                throw KinshipError.notFound("No such profile.")
            }
            return try await ProfileEvents.page(
                of: live, in: key.workspaceID, limit: limit, after: cursor, opener: opener, on: connection, logger: context.logger
            )
        }
        return try .json(encoding: page)
    }

    private func view(of id: UUID, for key: APIKey, _ context: KinshipRequestContext) async throws -> PublicProfile {
        let workspace = key.workspaceID.lowercased
        let profile = try await identity.call(
            .get, "/internal/v1/profiles/\(id.lowercased)", query: ["workspace": workspace, "pii": key.role.seesRawPII ? "true" : "false"],
            as: ProfileView.self
        )
        guard let live = UUID(uuidString: profile.profileId) else { throw KinshipError.notFound("No such profile.") }
        // A profile segmentation has not evaluated yet has no computed traits or memberships to show.
        let segments: ProfileSegmentsView?
        do {
            segments = try await segmentation.call(
                .get, "/internal/v1/profiles/\(profile.profileId)/segments", query: ["workspace": workspace], as: ProfileSegmentsView.self
            )
        } catch let error as KinshipError where error.code == .notFound {
            segments = nil
        }
        let opener = try await self.opener(for: key)
        let events = try await database.withConnection { connection in
            try await ProfileEvents.page(of: live, in: key.workspaceID, limit: 20, after: nil, opener: opener, on: connection, logger: context.logger)
        }
        return PublicProfile(
            profile: profile, computed: segments?.computed ?? [:], consent: segments?.consent ?? [:],
            consentHistory: segments?.consentHistory ?? [], segments: segments?.memberships ?? [], lastEvents: events.items
        )
    }

    /// Opens sealed values for a role that sees clear PII; nil (mask them) for the others.
    private func opener(for key: APIKey) async throws -> SealedFields? {
        guard key.role.seesRawPII else { return nil }
        let keys = try await workspaceKeys.keys(for: key.workspaceID)
        return SealedFields(key: keys.dataKey, workspaceID: key.workspaceID)
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
