import Foundation
import Hummingbird
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import PostgresNIO

/// Internal HTTP (internal token required): find a profile by an identifier, show one, unmerge one.
struct ProfileRoutes: Sendable {
    let directory: WorkspaceKeyCache
    let database: PostgresClient
    let internalToken: String

    func add(to router: Router<KinshipRequestContext>) {
        let routes = router.group("internal/v1").add(middleware: InternalTokenMiddleware(token: internalToken))
        routes.get("resolve") { request, _ in try await resolve(request) }
        routes.get("privacy-subject") { request, _ in try await privacySubject(request) }
        routes.get("profiles/:id") { request, context in try await show(request, context) }
        routes.post("profiles/:id/unmerge") { request, context in try await unmerge(request, context) }
        routes.post("audience-hashes") { request, context in try await audienceHashes(request, context) }
    }

    /// `POST /internal/v1/audience-hashes?workspace=…` with `{"profileIds": [...]}` (at most 1,000) → the
    /// SHA-256 of each live profile's e-mails and phones, for an ad platform's audience upload.
    private func audienceHashes(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        var request = request
        let workspaceID = try request.workspaceParameter()
        guard let asked = try? JSONCoding.decoder().decode(AudienceRequest.self, from: try await request.operatorBody()) else {
            throw KinshipError.badRequest(.invalidBody, "The body must be {\"profileIds\": [...]}.")
        }
        let ids = asked.profileIds.compactMap(UUID.init(uuidString:))
        guard ids.count == asked.profileIds.count, ids.count <= AudienceReader.maximumProfiles else {
            throw KinshipError.badRequest(.invalidBody, "profileIds must be at most \(AudienceReader.maximumProfiles) profile ids.")
        }
        let hashes = try await database.withConnection { connection in
            try await AudienceReader(directory: directory, workspaceID: workspaceID, logger: context.logger).hashes(of: ids, on: connection)
        }
        return try .json(encoding: hashes)
    }

    /// `GET /internal/v1/resolve?workspace=…&type=email&value=…` → the profile id, following merges.
    private func resolve(_ request: Request) async throws -> Response {
        let workspaceID = try request.workspaceParameter()
        guard let type = request.uri.queryParameters.get("type"), let value = request.uri.queryParameters.get("value") else {
            throw KinshipError.badRequest(.missingField, "type and value are required.")
        }
        let profile = try await ProfileReader(database: database, directory: directory, workspaceID: workspaceID).resolve(type: type, value: value)
        guard let profile else { throw KinshipError.notFound("No profile holds this identifier.") }
        return try .json(encoding: ResolvedProfile(profileId: profile.lowercased))
    }

    /// `GET /internal/v1/privacy-subject?workspace=…&type=email&value=…` → who a data subject request
    /// about that identifier covers (`PrivacySubject`), as tokens.
    private func privacySubject(_ request: Request) async throws -> Response {
        let workspaceID = try request.workspaceParameter()
        guard let type = request.uri.queryParameters.get("type"), let value = request.uri.queryParameters.get("value") else {
            throw KinshipError.badRequest(.missingField, "type and value are required.")
        }
        let reader = ProfileReader(database: database, directory: directory, workspaceID: workspaceID)
        guard let subject = try await reader.privacySubject(type: type, value: value) else {
            throw KinshipError.badRequest(.invalidParameter, "This \(type) cannot identify anyone (empty or a placeholder).")
        }
        return try .json(encoding: subject)
    }

    /// `GET /internal/v1/profiles/{id}?workspace=…[&pii=true]`: identifiers (masked unless `pii=true`),
    /// traits with their source and time, merge and split history.
    private func show(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let workspaceID = try request.workspaceParameter()
        let id = try profileParameter(context)
        let reveal = request.uri.queryParameters.get("pii") == "true"
        let reader = ProfileReader(database: database, directory: directory, workspaceID: workspaceID)
        guard let view = try await reader.view(of: id, revealPII: reveal) else { throw KinshipError.notFound("No such profile.") }
        return try .json(encoding: view)
    }

    /// `POST /internal/v1/profiles/{id}/unmerge?workspace=…` with `{"identifier": {"type", "value"}}` or
    /// `{"messageId": …}`, and optionally `"requestedBy"`: removes those edges and splits the profile
    /// where its graph splits.
    private func unmerge(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        var request = request
        let workspaceID = try request.workspaceParameter()
        let id = try profileParameter(context)
        let (target, requestedBy) = try Self.unmergeRequest(try await request.operatorBody())
        let keys = try await directory.keys(for: workspaceID)
        let outcome = try await RetryOnConflict.run {
            try await database.transaction(logger: context.logger) { connection in
                let (rules, version) = try await RuleStore.current(for: workspaceID, on: connection, logger: context.logger)
                let graph = IdentityGraph(
                    workspaceID: workspaceID, keys: keys, keyring: directory.keyring, rules: rules, ruleVersion: version, logger: context.logger
                )
                return try await graph.unmerge(id, target, requestedBy: requestedBy, on: connection)
            }
        }
        return try .json(encoding: outcome)
    }

    private func profileParameter(_ context: KinshipRequestContext) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw KinshipError.notFound("No such profile.") }
        return id
    }

    static func unmergeRequest(_ body: Data) throws -> (UnmergeTarget, requestedBy: String) {
        guard let request = try? JSONCoding.decoder().decode(UnmergeRequest.self, from: body) else {
            throw KinshipError.badRequest(.invalidBody, "The body must be a JSON object: identifier ({type, value}) or messageId, and requestedBy.")
        }
        let requestedBy = request.requestedBy.map { String($0.prefix(200)) } ?? "internal"
        switch (request.identifier, request.messageId) {
        case (let identifier?, nil):
            guard let type = identifier.type, !type.isEmpty, let value = identifier.value else {
                throw KinshipError.badRequest(.invalidIdentifier, "identifier needs a type and a value, both strings.")
            }
            return (.identifier(type: type, value: value), requestedBy)
        case (nil, let messageID?) where !messageID.isEmpty:
            return (.event(messageID: messageID), requestedBy)
        default:
            throw KinshipError.badRequest(.invalidBody, "Give either identifier ({type, value}) or messageId.")
        }
    }
}
