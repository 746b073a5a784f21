import KinshipCore
import KinshipOutbox
import KinshipPrivacy
import KinshipService

/// The ingestion service's own settings, from `KINSHIP_*` variables (documented in docs/configuration.md).
public struct IngestionConfiguration: Sendable {
    /// A repeated `messageId` within this window is acknowledged but stored once.
    public var dedupWindowDays = 7
    /// Messages per second each source may send to one ingestion process (bursts of twice that); 0 = no limit.
    public var rateLimitPerSource = 5000
    /// How many reverse proxies in front of ingestion append to `X-Forwarded-For` (0: use the peer address).
    public var trustedProxies = 0
    /// Concurrent group-commit writers; requests arriving while they are busy share the next transaction.
    /// Two measured best on two cores: single requests at 1,000/s waited about half as long at p99 as with
    /// four (fewer, larger commits). Three made batches about 5% faster but put that p99 over 10 ms.
    public var writers = 2
    /// Rows per second each source may import through one process (bursts of twice that); an import
    /// faster than that is slowed down, not refused. 0 = no limit.
    public var importRowsPerSecond = 20_000
    /// Requests with an unknown write key one client address may make per minute (bursts of half that);
    /// past it, its unknown keys get `429` without a database lookup. 0 = no limit.
    public var authenticationFailuresPerMinute = 120
    /// The most bytes of requests one process holds waiting to be written or being written; past it,
    /// `503 overloaded`. About three seconds of the fastest batches this machine class takes.
    public var queueBytes = 64 << 20
    /// A request not written within this time of its arrival is answered `503 database_unavailable`.
    public var writeDeadline: Duration = .seconds(10)
    /// How long a write key's source (or its absence) is remembered: a disabled source or a rotated key keeps
    /// working for at most this long; shorter costs a query per write key that often.
    public var writeKeyCacheSeconds = 30

    public init() {}

    public static func load(from environment: Environment = Environment()) throws -> IngestionConfiguration {
        var configuration = IngestionConfiguration()
        configuration.dedupWindowDays = try environment.integer("KINSHIP_DEDUP_WINDOW_DAYS", default: 7, range: 1...365)
        configuration.rateLimitPerSource = try environment.integer("KINSHIP_RATE_LIMIT_PER_SOURCE", default: 5000, range: 0...10_000_000)
        configuration.trustedProxies = try environment.integer("KINSHIP_TRUSTED_PROXIES", default: 0, range: 0...10)
        configuration.writers = try environment.integer("KINSHIP_INGESTION_WRITERS", default: 2, range: 1...64)
        configuration.importRowsPerSecond = try environment.integer("KINSHIP_IMPORT_ROWS_PER_SECOND", default: 20_000, range: 0...10_000_000)
        configuration.authenticationFailuresPerMinute = try environment.integer("KINSHIP_AUTH_FAILURES_PER_MINUTE", default: 120, range: 0...1_000_000)
        configuration.queueBytes = try environment.integer("KINSHIP_INGESTION_QUEUE_MB", default: 64, range: 1...4096) << 20
        configuration.writeDeadline = .seconds(try environment.integer("KINSHIP_INGESTION_WRITE_DEADLINE_SECONDS", default: 10, range: 1...300))
        configuration.writeKeyCacheSeconds = try environment.integer("KINSHIP_WRITE_KEY_CACHE_SECONDS", default: 30, range: 0...3600)
        return configuration
    }
}

/// Segment's limits, which clients are written against.
enum IngestionLimits {
    static let messageBytes = 32 * 1024
    static let batchBytes = 500 * 1024
    static let messageIdLength = 200
    /// Refused messages listed in a response, at most.
    static let listedRefusals = 100
}

extension KinshipError {
    static let shuttingDown = KinshipError(
        code: .shuttingDown, status: .serviceUnavailable, message: "This ingestion process is shutting down; retry.",
        headers: [.retryAfter: "1"]
    )
}
