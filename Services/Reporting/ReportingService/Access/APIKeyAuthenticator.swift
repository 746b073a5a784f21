import Foundation
import Hummingbird
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import KinshipService
import Metrics

/// Who calls the public API: `Authorization: Bearer <api key>` → the key's workspace and role.
///
/// Keys are looked up on every request (one indexed read), not cached, so a revoked key stops working at
/// once. Failed authentications are counted per client address (an IPv6 one per /64): past its budget an address gets `429`
/// for unknown keys, while keys found valid in the last hour keep working from it (a guesser behind the
/// same NAT as a team cannot lock the team out).
final class APIKeyAuthenticator: Sendable {
    private let tenancy: TenancyStore
    private let failures: RateLimiter<String>
    private let recentlyValid = ExpiringCache<Data, Bool>(capacity: 10_000, lifetime: .seconds(3600))

    init(tenancy: TenancyStore, failuresPerMinute: Int) {
        self.tenancy = tenancy
        self.failures = RateLimiter(perSecond: Double(failuresPerMinute) / 60, burst: Double(max(failuresPerMinute / 2, 1)))
    }

    /// The caller's key when its role includes `required`: `missing_api_key` / `invalid_api_key` (401),
    /// `rate_limited` (429), or `forbidden` (403).
    func authenticate(_ request: Request, _ context: KinshipRequestContext, requiring required: APIRole) async throws -> APIKey {
        guard let secret = Self.bearer(request) else {
            throw KinshipError.unauthorized(.missingAPIKey, "Send an API key as Authorization: Bearer <api key>.")
        }
        return try await authenticate(secret: secret, from: ClientAddress.rateLimitKey(context.remoteAddress), requiring: required)
    }

    /// The key a secret is, as `authenticate(_:_:requiring:)` checks it: for the dashboard's sign-in form.
    func authenticate(secret: String, from address: String, requiring required: APIRole) async throws -> APIKey {
        let hash = SecretToken.hash(secret)
        // A lookup of a key not known to be valid is paid for before it is made, and refunded when the key
        // is valid: checking the credit first and charging after let concurrent guesses all pass on the
        // last credit.
        let paid = recentlyValid.value(for: hash) == nil
        if paid, failures.admit(address) != nil {
            Counter(label: "kinship_reporting_authentication_throttled_total").increment()
            let seconds = max(1, Int((1 / failures.rate).rounded(.up)))
            throw KinshipError(
                code: .rateLimited, status: .tooManyRequests,
                message: "Too many requests with unknown API keys came from this address; retry after \(seconds) s.",
                headers: [.retryAfter: String(seconds)]
            )
        }
        let found: APIKey?
        do {
            found = try await Deadline.run(.seconds(5), { try await self.tenancy.apiKey(forSecret: secret) })
        } catch {
            if paid { failures.refund(address) }
            throw error
        }
        guard let key = found else {
            if !paid { failures.charge(address) }
            Counter(label: "kinship_reporting_authentication_failures_total").increment()
            throw KinshipError.unauthorized(.invalidAPIKey, "The API key is not valid: unknown or revoked.")
        }
        if paid { failures.refund(address) }
        recentlyValid.store(true, for: hash)
        guard key.role.includes(required) else {
            throw KinshipError(code: .forbidden, status: .forbidden, message: "An API key of role \(key.role.rawValue) may not do this; it needs \(required.rawValue).")
        }
        return key
    }

    private static func bearer(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let secret = parts[1].trimmingCharacters(in: .whitespaces)
        return secret.isEmpty || secret.utf8.count > 200 ? nil : secret
    }
}
