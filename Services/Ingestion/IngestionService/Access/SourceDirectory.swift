import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import Logging
import Metrics
import PostgresNIO
import Synchronization

/// Write key → source, cached for a short while so the hot path does not ask Postgres on every
/// request. A disabled source or rotated key stops working within `lifetime` (`KINSHIP_WRITE_KEY_CACHE_SECONDS`):
/// an entry's lifetime counts from when its lookup began, so a lookup that read the source just before
/// it was disabled does not extend it.
final class SourceDirectory: Sendable {
    private let tenancy: TenancyStore
    private let workspaceKeys: WorkspaceKeyCache
    private let database: PostgresClient
    private let logger: Logger
    /// By the write key's hash. Unknown keys are remembered too (as nil), so guessing keys does not hammer
    /// the database; when full, the oldest entry makes room for the next.
    private let sources: ExpiringCache<Data, AuthenticatedSource?>
    /// Failed authentications per client address: past its budget, an address's unknown keys are not
    /// looked up (`429`), while keys already known keep working.
    private let failures: RateLimiter<String>
    /// Keys found valid in the last hour, by hash: when their cache entry expires they are looked up again
    /// even from an address being throttled, so a guesser sharing a shop's address (a NAT) cannot lock its
    /// keys out. Only the key itself leads here (the hash of a secret cannot be guessed).
    private let recentlyValid = ExpiringCache<Data, Bool>(capacity: 10_000, lifetime: .seconds(3600))

    init(
        database: PostgresClient, keyring: MasterKeyring, logger: Logger, lifetime: Duration,
        failuresPerMinute: Int = IngestionConfiguration().authenticationFailuresPerMinute
    ) {
        self.tenancy = TenancyStore(database: database, keyring: keyring, logger: logger)
        self.workspaceKeys = WorkspaceKeyCache(database: database, keyring: keyring, logger: logger)
        self.database = database
        self.logger = logger
        self.sources = ExpiringCache(capacity: 10_000, lifetime: lifetime)
        self.failures = RateLimiter(perSecond: Double(failuresPerMinute) / 60, burst: Double(failuresPerMinute) / 2)
    }

    /// The source of a write key, or `invalid_write_key` (401); `rate_limited` (429) when `clientAddress`
    /// has failed too often lately and the key is not one already known.
    /// The address is worked out only when needed: on a cache miss or a failure, not per request.
    func authenticate(writeKey: String, clientAddress: @autoclosure () -> String?) async throws -> AuthenticatedSource {
        let hash = SecretToken.hash(writeKey)
        // Connections without a peer address (a Unix socket) share one budget.
        func address() -> String { clientAddress() ?? "-" }
        let source: AuthenticatedSource?
        let started = ContinuousClock.now
        if let known = sources.value(for: hash, now: started) {
            source = known
        } else {
            // A lookup of a key not known to be valid is paid for before it is made and refunded when the key
            // is valid: checking the credit first and charging after let concurrent guesses all pass on one.
            let paid = recentlyValid.value(for: hash) == nil
            if paid, failures.admit(address()) != nil { throw tooManyFailures() }
            do {
                source = try await Deadline.abandoning(.seconds(5)) { try await self.lookUp(writeKey) }
            } catch {
                if paid { failures.refund(address()) }
                throw error
            }
            // Its lifetime counts from before the lookup: a source disabled meanwhile stops within it.
            sources.store(source, for: hash, now: started)
            if source != nil { recentlyValid.store(true, for: hash) }
            if paid, source != nil { failures.refund(address()) }
            guard source != nil else {
                if !paid { failures.charge(address()) }
                Counter(label: "kinship_ingestion_authentication_failures_total").increment()
                throw Self.invalidWriteKey
            }
        }
        guard let source else {
            // A key cached as unknown: no lookup was paid for, so the failure is charged now.
            failures.charge(address())
            Counter(label: "kinship_ingestion_authentication_failures_total").increment()
            throw Self.invalidWriteKey
        }
        return source
    }

    private func tooManyFailures() -> KinshipError {
        let seconds = max(1, Int((1 / failures.rate).rounded(.up)))
        Counter(label: "kinship_ingestion_authentication_throttled_total").increment()
        return KinshipError(
            code: .rateLimited, status: .tooManyRequests,
            message: "Too many requests with unknown write keys came from this address; retry after \(seconds) s.",
            headers: [.retryAfter: String(seconds)]
        )
    }

    private func lookUp(_ writeKey: String) async throws -> AuthenticatedSource? {
        guard let source = try await tenancy.source(forWriteKey: writeKey) else { return nil }
        let keys = try await workspaceKeys.keys(for: source.workspaceID)
        var policy = IPTruncation.anonymize
        for try await text in try await database.query(
            "SELECT ip_policy FROM workspaces WHERE id = \(source.workspaceID)", logger: logger
        ).decode(String.self) {
            policy = IPTruncation(setting: text) ?? .anonymize
        }
        return AuthenticatedSource(
            source: source, sealing: SealedFields(key: keys.dataKey, workspaceID: source.workspaceID),
            dataKey: keys.dataKey, blindIndex: keys.blindIndex, ipPolicy: policy
        )
    }

    static let invalidWriteKey = KinshipError.unauthorized(.invalidWriteKey, "The write key is not valid for any enabled source.")
    static let missingWriteKey = KinshipError.unauthorized(
        .missingWriteKey, "Send the source's write key as the HTTP Basic user name (empty password) or as writeKey in the body."
    )
}
