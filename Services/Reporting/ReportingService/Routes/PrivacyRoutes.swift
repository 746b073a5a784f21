import Foundation
import Hummingbird
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipService

/// `/v1/privacy/requests`: an admin exports, erases or suppresses a person found by any one identifier,
/// and follows the request (docs/privacy.md).
struct PrivacyRoutes: Sendable {
    let access: APIKeyAuthenticator
    let identity: Upstream
    let store: PrivacyRequestStore
    let export: PersonExport

    func add(to router: Router<KinshipRequestContext>) {
        let routes = router.group("v1/privacy/requests")
        routes.post { request, context in try await create(request, context) }
        routes.get { request, context in try await list(request, context) }
        routes.get(":id") { request, context in try await show(request, context) }
    }

    /// `POST /v1/privacy/requests` with `{"kind": "export" | "erase" | "suppress", "identifier": {"type", "value"}}`:
    /// an export answers 200 with the whole document; an erasure 202 with the request, whose steps the
    /// services carry out (200 with the running one when an erasure of that person is already running);
    /// a suppression 201, in force at once.
    private func create(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        var request = request
        let key = try await access.authenticate(request, context, requiring: .admin)
        let draft: PrivacyRequestDraft
        do {
            draft = try JSONCoding.decode(PrivacyRequestDraft.self, from: try await request.operatorBody())
        } catch {
            throw KinshipError.badRequest(
                .invalidBody, "The body must be {\"kind\": \"export\" | \"erase\" | \"suppress\", \"identifier\": {\"type\": …, \"value\": …}}."
            )
        }
        guard let kind = PrivacyRequestMessage.Kind(rawValue: draft.kind) else {
            throw KinshipError.badRequest(.invalidBody, "kind must be export, erase or suppress.")
        }
        let (type, value) = (draft.identifier.type, draft.identifier.value)
        guard !(type + value).unicodeScalars.contains(where: { $0.properties.generalCategory == .control }), !type.isEmpty, type.utf8.count <= 64,
              !value.isEmpty, value.utf8.count <= 1000
        else {
            throw KinshipError.badRequest(.invalidBody, "identifier needs a type (1–64 characters) and a value (1–1000), without control characters.")
        }
        let subject = try await identity.call(
            .get, "/internal/v1/privacy-subject", query: ["workspace": key.workspaceID.lowercased, "type": type, "value": value], as: PrivacySubject.self
        )
        // A suppression needs no profile: an identifier never seen is refused from now on all the same.
        let live = subject.profileId.flatMap(UUID.init(uuidString:))
        guard kind == .suppress || live != nil else {
            throw KinshipError.notFound("No profile holds this identifier: there is nothing to \(kind.rawValue).")
        }
        let actor = "api key \(key.name) (\(key.id.lowercased))"
        let (made, created) = try await store.create(kind, subject: subject, in: key.workspaceID, actor: actor)
        switch kind {
        case .export:
            guard let live else { throw KinshipError.internalError }
            return try .json(encoding: try await export.document(for: made, profile: live, key: key, logger: context.logger))
        case .erase:
            return try .json(encoding: made, status: created ? .accepted : .ok)
        case .suppress:
            return try .json(encoding: made, status: .created)
        }
    }

    /// `GET /v1/privacy/requests?limit=&cursor=`: newest first.
    private func list(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let key = try await access.authenticate(request, context, requiring: .admin)
        let limit = try ProfileRoutes.limit(request)
        let cursor = try request.uri.queryParameters.get("cursor").map(PrivacyRequestCursor.init(decoding:))
        let found = try await store.requests(in: key.workspaceID, limit: limit + 1, before: cursor)
        let page = Array(found.prefix(limit))
        let next = found.count > limit ? page.last.flatMap { last in UUID(uuidString: last.id).map { PrivacyRequestCursor(requestedAt: last.requestedAt, id: $0).encoded } } : nil
        return try .json(encoding: Page(items: page, nextCursor: next))
    }

    /// `GET /v1/privacy/requests/{id}`: the request, each step's state and, when done, what was removed.
    private func show(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let key = try await access.authenticate(request, context, requiring: .admin)
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text),
              let found = try await store.request(id, in: key.workspaceID)
        else {
            throw KinshipError.notFound("No such privacy request.")
        }
        return try .json(encoding: found)
    }
}
