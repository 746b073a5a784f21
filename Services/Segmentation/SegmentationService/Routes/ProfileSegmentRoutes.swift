import Foundation
import Hummingbird
import KinshipCore
import KinshipDatabase
import KinshipService
import PostgresNIO

/// Internal HTTP (internal token required): what segmentation knows of one profile.
struct ProfileSegmentRoutes: Sendable {
    let database: PostgresClient
    let internalToken: String

    func add(to router: Router<KinshipRequestContext>) {
        let routes = router.group("internal/v1/profiles").add(middleware: InternalTokenMiddleware(token: internalToken))
        routes.get(":id/segments") { request, context in try await show(request, context) }
    }

    /// `GET /internal/v1/profiles/{id}/segments?workspace=…` → computed traits, consent in force and its
    /// history, and every membership, newest first (a merged-away id answers for its survivor).
    private func show(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let workspaceID = try request.workspaceParameter()
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw KinshipError.notFound("No such profile.") }
        let view = try await database.withConnection { connection in
            try await ProfileRecord.read(id, in: workspaceID, parts: .segments, on: connection, logger: context.logger)?.segments
        }
        guard let view else { throw KinshipError.notFound("No such profile.") }
        return try .json(encoding: view)
    }
}
