import Foundation
import Hummingbird
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import KinshipService

/// `/v1/privacy/policy`: the workspace's consent categories, which category each kind of message needs,
/// and the key names it classifies beyond the defaults (docs/privacy.md). Analysts read it (segments
/// require its categories); admins replace it.
struct PrivacyPolicyRoutes: Sendable {
    let access: APIKeyAuthenticator
    let store: PrivacyPolicyStore

    func add(to router: Router<KinshipRequestContext>) {
        router.get("v1/privacy/policy") { request, context in
            let key = try await access.authenticate(request, context, requiring: .analyst)
            return try Response.json(encoding: try await store.current(in: key.workspaceID))
        }
        router.put("v1/privacy/policy") { request, context in try await replace(request, context) }
    }

    /// `PUT /v1/privacy/policy` with the whole policy (keys left out take their defaults): 200 with the new
    /// version, in force at ingestion within two seconds.
    private func replace(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        var request = request
        let key = try await access.authenticate(request, context, requiring: .admin)
        let policy: PrivacyPolicy
        do {
            policy = try JSONCoding.decode(PrivacyPolicy.self, from: try await request.operatorBody())
        } catch let error as KinshipError {
            throw error
        } catch {
            throw KinshipError.badRequest(
                .invalidPrivacyPolicy,
                "The body must be {\"consentCategories\": [names], \"eventCategories\": {event: category}, \"messageTypeCategories\": {type: category}, \"classification\": {\"personal\": [names], \"sensitive\": [names]}}."
            )
        }
        let saved = try await store.replace(with: try policy.validated(), in: key.workspaceID, by: "api key \(key.name) (\(key.id.lowercased))")
        return try Response.json(encoding: saved)
    }
}
