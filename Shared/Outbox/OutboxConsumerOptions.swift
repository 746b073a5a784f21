import KinshipCore

/// How a consumer reads, retries and shares partitions; the defaults suit production.
public struct OutboxConsumerOptions: Sendable {
    /// Messages read and handled per transaction.
    public var batchSize = 500
    /// A handler failing this many times on one message sends it to the dead-letter table.
    public var maxAttempts = 5
    /// The first retry waits this long; each further one twice as long, up to `maximumBackoff`.
    public var initialBackoff: Duration = .milliseconds(100)
    public var maximumBackoff: Duration = .seconds(30)
    /// A lease not renewed for this long may be taken by another worker.
    public var leaseDuration: Duration = .seconds(10)
    /// How often a worker renews its leases, rebalances and reports lag.
    public var heartbeatInterval: Duration = .seconds(2)
    /// The fallback poll when no notification arrives.
    public var pollInterval: Duration = .seconds(1)
    /// Owned partitions processed at once.
    public var parallelPartitions = 4
    /// Commit batches without waiting for the WAL flush. Safe for the bus's guarantees: a crash can lose
    /// only the last moments of batches, and their handlers' writes and cursor moves together, so those
    /// messages are simply handled again; and any later synchronous commit (the pruner's, a producer's)
    /// flushes them first, so nothing is pruned on the strength of a lost cursor.
    public var asynchronousCommit = true

    public init() {}

    /// The defaults, with what an operator set in `KINSHIP_<SERVICE>_CONSUMER_BATCH_SIZE` and
    /// `KINSHIP_<SERVICE>_CONSUMER_PARALLEL_PARTITIONS`.
    public static func load(_ service: ServiceName, from environment: Environment = Environment()) throws -> OutboxConsumerOptions {
        var options = OutboxConsumerOptions()
        let prefix = "KINSHIP_\(service.rawValue.uppercased())_CONSUMER_"
        options.batchSize = try environment.integer(prefix + "BATCH_SIZE", default: options.batchSize, range: 1...10_000)
        options.parallelPartitions = try environment.integer(prefix + "PARALLEL_PARTITIONS", default: options.parallelPartitions, range: 1...64)
        return options
    }
}
