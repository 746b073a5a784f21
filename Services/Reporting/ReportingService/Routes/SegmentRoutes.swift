import Foundation
import Hummingbird
import KinshipCore
import KinshipDatabase
import KinshipInternalClient
import KinshipService
import PostgresNIO

/// `/v1/segments`: the workspace's segments through segmentation's internal API (which owns them), and
/// their members from `memberships`. Viewers read the list and sizes; analysts and admins also edit,
/// preview and export members.
struct SegmentRoutes: Sendable {
    let access: APIKeyAuthenticator
    let segmentation: Upstream
    let identity: Upstream
    let database: PostgresClient

    func add(to router: Router<KinshipRequestContext>) {
        let routes = router.group("v1/segments")
        routes.get { request, context in try await list(request, context) }
        routes.post { request, context in try await forward(request, context, .post, "", requiring: .analyst, status: .created) }
        routes.post("preview") { request, context in try await forward(request, context, .post, "/preview", requiring: .analyst) }
        routes.get(":id") { request, context in try await forward(request, context, .get, try Self.idPath(context), requiring: .viewer) }
        routes.put(":id") { request, context in try await forward(request, context, .put, try Self.idPath(context), requiring: .analyst) }
        routes.delete(":id") { request, context in try await forward(request, context, .delete, try Self.idPath(context), requiring: .analyst) }
        routes.get(":id/members") { request, context in try await members(request, context) }
        routes.get(":id/history") { request, context in try await history(request, context) }
    }

    /// `GET /v1/segments/{id}/history?from=&to=[&format=csv]`: per day, entries, exits and size at the day's
    /// end (the last 30 days by default). Aggregates only: every role.
    private func history(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let key = try await access.authenticate(request, context, requiring: .viewer)
        let path = try Self.idPath(context)
        let (from, to) = try PeriodParameters.period(request)
        _ = try await segmentation.send(.get, "/internal/v1/segments\(path)", query: ["workspace": key.workspaceID.lowercased])
        let segment = UUID(uuidString: String(path.dropFirst()))!
        let days = try await database.withConnection { connection in
            try await SegmentHistory.days(of: segment, in: key.workspaceID, from: from, to: to, on: connection, logger: context.logger)
        }
        if request.uri.queryParameters.get("format") == "csv" {
            let table = ReportTable(columns: ["day", "entered", "exited", "size"], rows: days.map { [$0.day, String($0.entered), String($0.exited), String($0.size)] })
            return try CSVResponse.make(table, filename: "segment-\(segment.lowercased)-history.csv")
        }
        return try .json(encoding: days)
    }

    /// `GET /v1/segments?limit=&cursor=`: by name.
    private func list(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let key = try await access.authenticate(request, context, requiring: .viewer)
        let limit = try ProfileRoutes.limit(request, default: 100)
        let all = try await segmentation.call(.get, "/internal/v1/segments", query: ["workspace": key.workspaceID.lowercased], as: [SegmentView].self)
            .sorted { ($0.name, $0.id) < ($1.name, $1.id) }
        let after = try request.uri.queryParameters.get("cursor").map { text in
            guard let bytes = text.base64Decoded else { throw KinshipError.badRequest(.invalidParameter, "cursor is not one this API gave.") }
            return String(decoding: bytes, as: UTF8.self)
        }
        let rest = after.map { cursor in all.filter { "\($0.name)\u{0}\($0.id)" > cursor } } ?? all
        let items = Array(rest.prefix(limit))
        let next = rest.count > limit ? items.last.map { Array("\($0.name)\u{0}\($0.id)".utf8).base64String } : nil
        return try .json(encoding: Page(items: items, nextCursor: next))
    }

    /// Passes the request to segmentation in the caller's workspace, and its answer back as it came.
    private func forward(
        _ request: Request, _ context: KinshipRequestContext, _ method: InternalClient.Method, _ path: String, requiring role: APIRole,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var request = request
        let key = try await access.authenticate(request, context, requiring: role)
        let body: Data? = method == .get || method == .delete ? nil : try await request.operatorBody()
        let reply = try await segmentation.send(method, "/internal/v1/segments\(path)", query: ["workspace": key.workspaceID.lowercased], body: body)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: reply.body))
        )
    }

    /// `GET /v1/segments/{id}/members?format=json|csv|hashed&limit=&cursor=`: current members, by profile id;
    /// `hashed` is the audience file ad platforms take (SHA-256 of e-mails and phones), without the members
    /// who refused marketing.
    private func members(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let key = try await access.authenticate(request, context, requiring: .analyst)
        guard let text = context.parameters.get("id"), let segment = UUID(uuidString: text) else { throw KinshipError.notFound("No such segment.") }
        let format = request.uri.queryParameters.get("format") ?? "json"
        // The segment must be the workspace's: another's is as unknown as one that never existed.
        _ = try await segmentation.send(.get, "/internal/v1/segments/\(segment.lowercased)", query: ["workspace": key.workspaceID.lowercased])
        switch format {
        case "json":
            let limit = try ProfileRoutes.limit(request, default: 100)
            let cursor = try request.uri.queryParameters.get("cursor").map { text in
                guard let id = UUID(uuidString: text) else { throw KinshipError.badRequest(.invalidParameter, "cursor is not one this API gave.") }
                return id
            }
            let page = try await database.withConnection { connection in
                try await SegmentMembers.page(of: segment, in: key.workspaceID, limit: limit, after: cursor, on: connection, logger: context.logger)
            }
            return try .json(encoding: page)
        case "csv":
            let members = try await database.withConnection { connection in
                try await SegmentMembers.all(of: segment, in: key.workspaceID, on: connection, logger: context.logger)
            }
            let table = ReportTable(columns: ["profile_id", "entered_at", "segment_version"], rows: members.map {
                [$0.profileId, Timestamp.format($0.enteredAt), String($0.segmentVersion)]
            })
            return try CSVResponse.make(table, filename: "segment-\(segment.lowercased)-members.csv")
        case "hashed":
            let members = try await database.withConnection { connection in
                try await SegmentMembers.all(of: segment, in: key.workspaceID, excludingRefusalsOf: "marketing", on: connection, logger: context.logger)
            }
            let table = try await AudienceExport.table(of: members.map(\.profileId), in: key.workspaceID, identity: identity)
            return try CSVResponse.make(table, filename: "segment-\(segment.lowercased)-audience.csv")
        default:
            throw KinshipError.badRequest(.invalidParameter, "format must be json, csv or hashed.")
        }
    }

    static func idPath(_ context: KinshipRequestContext) throws -> String {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw KinshipError.notFound("No such segment.") }
        return "/\(id.lowercased)"
    }
}
