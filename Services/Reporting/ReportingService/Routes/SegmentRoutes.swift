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
    let reader: SegmentReader
    var segmentation: Upstream { reader.segmentation }

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
        let segment = try Self.segmentParameter(context)
        let (from, to) = try PeriodParameters.period(request)
        let days = try await reader.history(of: segment, for: key, from: from, to: to, logger: context.logger)
        if request.uri.queryParameters.get("format") == "csv" {
            return try CSVResponse.make(reader.historyTable(days), filename: "segment-\(segment.lowercased)-history.csv")
        }
        return try .json(encoding: days)
    }

    /// `GET /v1/segments?limit=&cursor=`: by name.
    private func list(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let key = try await access.authenticate(request, context, requiring: .viewer)
        let limit = try ProfileRoutes.limit(request, default: 100)
        let all = try await reader.list(for: key)
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

    /// `GET /v1/segments/{id}/members?format=json|csv|hashed&limit=&cursor=`: current members, by profile id.
    /// `json` lists every member, each saying whether they refuse marketing; the files, `csv` and `hashed`
    /// (the audience file ad platforms take: SHA-256 of e-mails and phones), leave those members out.
    private func members(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let key = try await access.authenticate(request, context, requiring: .analyst)
        let segment = try Self.segmentParameter(context)
        switch request.uri.queryParameters.get("format") ?? "json" {
        case "json":
            let limit = try ProfileRoutes.limit(request, default: 100)
            let cursor = try request.uri.queryParameters.get("cursor").map { text in
                guard let id = UUID(uuidString: text) else { throw KinshipError.badRequest(.invalidParameter, "cursor is not one this API gave.") }
                return id
            }
            return try .json(encoding: try await reader.membersPage(of: segment, for: key, limit: limit, after: cursor, logger: context.logger))
        case "csv":
            let table = try await reader.membersTable(of: segment, for: key, logger: context.logger)
            return try CSVResponse.make(table, filename: "segment-\(segment.lowercased)-members.csv")
        case "hashed":
            let table = try await reader.audienceTable(of: segment, for: key, logger: context.logger)
            return try CSVResponse.make(table, filename: "segment-\(segment.lowercased)-audience.csv")
        default:
            throw KinshipError.badRequest(.invalidParameter, "format must be json, csv or hashed.")
        }
    }

    static func segmentParameter(_ context: KinshipRequestContext) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw KinshipError.notFound("No such segment.") }
        return id
    }

    static func idPath(_ context: KinshipRequestContext) throws -> String {
        "/" + (try segmentParameter(context)).lowercased
    }
}
