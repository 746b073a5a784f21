import Foundation
import Hummingbird
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import PostgresNIO

/// Internal HTTP (internal token required): a workspace's identity rules, and what changing them would do.
struct RuleRoutes: Sendable {
    let directory: WorkspaceKeyCache
    let database: PostgresClient
    let internalToken: String

    func add(to router: Router<KinshipRequestContext>) {
        let routes = router.group("internal/v1/rules").add(middleware: InternalTokenMiddleware(token: internalToken))
        routes.get { request, context in try await show(request, context) }
        routes.put { request, context in try await replace(request, context) }
        routes.post("dry-run") { request, context in try await dryRun(request, context) }
    }

    /// `GET /internal/v1/rules?workspace=…` → `{"version", "rules"}` (the defaults, version 0, until edited).
    private func show(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let workspaceID = try request.workspaceParameter()
        let (rules, version) = try await database.withConnection { connection in
            try await RuleStore.current(for: workspaceID, on: connection, logger: context.logger)
        }
        return try .json(encoding: VersionedRules(version: version, rules: rules))
    }

    /// `PUT /internal/v1/rules?workspace=…` with the rules (keys left out keep their defaults): they apply
    /// from the next event on; history is not re-resolved (a dry run shows what that would change).
    private func replace(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        var request = request
        let workspaceID = try request.workspaceParameter()
        let rules = try IdentityRules.parse(try await request.operatorBody())
        let actor = request.uri.queryParameters.get("requestedBy").map { String($0.prefix(200)) } ?? "internal"
        _ = try await directory.keys(for: workspaceID)
        let version = try await database.transaction(logger: context.logger) { connection in
            try await RuleStore.replace(with: rules, for: workspaceID, by: actor, on: connection, logger: context.logger)
        }
        context.logger.info("identity rules replaced", metadata: ["workspace": "\(workspaceID)", "version": "\(version)", "by": "\(actor)"])
        return try .json(encoding: VersionedRules(version: version, rules: rules))
    }

    /// `POST /internal/v1/rules/dry-run?workspace=…` with proposed rules → how many of today's profiles
    /// would merge or split had they been in force all along. Writes nothing.
    private func dryRun(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        var request = request
        let workspaceID = try request.workspaceParameter()
        let proposed = try IdentityRules.parse(try await request.operatorBody())
        let keys = try await directory.keys(for: workspaceID)
        let report = try await database.withConnection { connection in
            try await RulesDryRun(workspaceID: workspaceID, keys: keys, logger: context.logger).run(proposed: proposed, on: connection)
        }
        return try .json(encoding: report)
    }
}
