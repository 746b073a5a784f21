import Foundation
import Hummingbird
import KinshipCore
import KinshipService
import Logging
import PostgresNIO

/// Internal HTTP (internal token required; every call names its `workspace`): create, read, update
/// (a new version), delete and list segments, and preview a definition without saving it.
struct SegmentRoutes: Sendable {
    let database: PostgresClient
    let internalToken: String

    func add(to router: Router<KinshipRequestContext>) {
        let routes = router.group("internal/v1/segments").add(middleware: InternalTokenMiddleware(token: internalToken))
        routes.get { request, context in try await list(request, context) }
        routes.post { request, context in try await create(request, context) }
        routes.post("preview") { request, context in try await preview(request, context) }
        routes.get(":id") { request, context in try await show(request, context) }
        routes.put(":id") { request, context in try await update(request, context) }
        routes.delete(":id") { request, context in try await delete(request, context) }
    }

    /// `GET /internal/v1/segments?workspace=…` → the workspace's segments by name, with their sizes.
    private func list(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let workspaceID = try request.workspaceParameter()
        let views = try await database.withConnection { connection in
            let sizes = try await SegmentStore.sizes(in: workspaceID, on: connection, logger: context.logger)
            return try await SegmentStore.live(in: workspaceID, on: connection, logger: context.logger).map { $0.view(size: sizes[$0.id] ?? 0) }
        }
        return try .json(encoding: views)
    }

    /// `POST /internal/v1/segments?workspace=…` with a `SegmentDraft` → 201 and the segment, its members
    /// already decided.
    private func create(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        var request = request
        let workspaceID = try request.workspaceParameter()
        let draft = try Self.decode(SegmentDraft.self, from: try await request.operatorBody())
        let view = try await database.transaction(logger: context.logger) { connection in
            let segment = try await SegmentStore.create(draft, in: workspaceID, on: connection, logger: context.logger)
            let outcome = try await SegmentRecompute.runNewDefinition(segment, in: workspaceID, now: Date(), on: connection, logger: context.logger)
            return segment.view(size: outcome.members)
        }
        context.logger.info("segment created", metadata: ["workspace": "\(workspaceID)", "segment": "\(view.id)", "size": "\(view.size)"])
        return try .json(encoding: view, status: .created)
    }

    private func show(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let workspaceID = try request.workspaceParameter()
        let id = try Self.segmentParameter(context)
        let view = try await database.withConnection { connection in
            let segment = try await SegmentStore.find(id, in: workspaceID, on: connection, logger: context.logger)
            let sizes = try await SegmentStore.sizes(in: workspaceID, on: connection, logger: context.logger)
            return segment.view(size: sizes[id] ?? 0)
        }
        return try .json(encoding: view)
    }

    /// `PUT /internal/v1/segments/{id}?workspace=…` with a `SegmentDraft`: a new version, its members
    /// decided again (entries and exits under the new version).
    private func update(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        var request = request
        let workspaceID = try request.workspaceParameter()
        let id = try Self.segmentParameter(context)
        let draft = try Self.decode(SegmentDraft.self, from: try await request.operatorBody())
        let view = try await database.transaction(logger: context.logger) { connection in
            let segment = try await SegmentStore.update(id, with: draft, in: workspaceID, on: connection, logger: context.logger)
            let outcome = try await SegmentRecompute.runNewDefinition(segment, in: workspaceID, now: Date(), on: connection, logger: context.logger)
            return segment.view(size: outcome.members)
        }
        return try .json(encoding: view)
    }

    /// `DELETE /internal/v1/segments/{id}?workspace=…`: every member exits; the segment and its history stay
    /// for the record, and its name is free again.
    private func delete(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let workspaceID = try request.workspaceParameter()
        let id = try Self.segmentParameter(context)
        let view = try await database.transaction(logger: context.logger) { connection in
            let segment = try await SegmentStore.delete(id, in: workspaceID, on: connection, logger: context.logger)
            try await SegmentRecompute.empty(segment, in: workspaceID, now: Date(), on: connection, logger: context.logger)
            return segment.view(size: 0)
        }
        return try .json(encoding: view)
    }

    /// `POST /internal/v1/segments/preview?workspace=…` with a `SegmentPreviewRequest` → its size now and a
    /// sample of member ids. Saves nothing.
    private func preview(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        var request = request
        let workspaceID = try request.workspaceParameter()
        let asked = try Self.decode(SegmentPreviewRequest.self, from: try await request.operatorBody())
        let sampleSize = asked.sampleSize ?? 10
        guard (0...100).contains(sampleSize) else { throw KinshipError.badRequest(.invalidSegment, "sampleSize must be 0 to 100.") }
        if let category = asked.requiredConsent { try SegmentDraft.checkCategory(category) }
        let now = Date()
        let preview = try await database.transaction(logger: context.logger) { connection in
            let traitSealing = try await SegmentStore.traitSealing(in: workspaceID, on: connection, logger: context.logger)
            let definition = try SegmentDefinition(json: asked.definition, traitSealing: traitSealing)
            return try await SegmentPreviewer.preview(
                definition, requiredConsent: asked.requiredConsent, sampleSize: sampleSize, in: workspaceID, now: now, on: connection,
                logger: context.logger
            )
        }
        return try .json(encoding: preview)
    }

    static func segmentParameter(_ context: KinshipRequestContext) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw KinshipError.notFound("No such segment.") }
        return id
    }

    static func decode<T: Decodable>(_ type: T.Type, from body: Data) throws -> T {
        do {
            return try JSONCoding.decoder().decode(type, from: body)
        } catch {
            throw KinshipError.badRequest(.invalidBody, "The body must be a JSON object with name and definition (and optionally description and requiredConsent).")
        }
    }
}
