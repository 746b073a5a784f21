import KinshipCore
import KinshipDatabase
import KinshipOutbox

/// What the outbox benchmark measures, from `KINSHIP_*` variables; the defaults are the full run, and
/// smaller counts make a quick one (`KINSHIP_BENCH_MESSAGES=20000 KINSHIP_BENCH_LATENCY_SECONDS=3`).
struct OutboxBenchConfiguration: Sendable {
    var database: DatabaseURL
    /// Messages produced, and then consumed by each consumer measure.
    var messages: Int
    /// Messages per producing transaction.
    var transactionSize: Int
    /// Concurrent producing tasks, each on its own connection.
    var producers: Int
    /// Size of each JSON payload in bytes.
    var payloadBytes: Int
    /// The latency measure's fixed load, in single-message transactions per second, and its length.
    var latencyRate: Int
    var latencySeconds: Int
    /// Every consumer's batch size, partitions processed at once and heartbeat (production's by default).
    var consumerBatchSize: Int
    var parallelPartitions: Int
    var heartbeatMilliseconds: Int?

    var consumerOptions: OutboxConsumerOptions {
        var options = OutboxConsumerOptions()
        options.batchSize = consumerBatchSize
        options.parallelPartitions = parallelPartitions
        if let heartbeatMilliseconds { options.heartbeatInterval = .milliseconds(heartbeatMilliseconds) }
        return options
    }

    init(_ environment: Environment) throws {
        database = try DatabaseURL(parsing: environment.required("KINSHIP_DATABASE_URL"))
        messages = try environment.integer("KINSHIP_BENCH_MESSAGES", default: 200_000, range: 1...10_000_000)
        transactionSize = try environment.integer("KINSHIP_BENCH_TRANSACTION_SIZE", default: 500, range: 1...10_000)
        producers = try environment.integer("KINSHIP_BENCH_PRODUCERS", default: 2, range: 1...16)
        payloadBytes = try environment.integer("KINSHIP_BENCH_PAYLOAD_BYTES", default: 1024, range: 64...1_000_000)
        latencyRate = try environment.integer("KINSHIP_BENCH_LATENCY_RATE", default: 1000, range: 1...100_000)
        latencySeconds = try environment.integer("KINSHIP_BENCH_LATENCY_SECONDS", default: 10, range: 2...3600)
        consumerBatchSize = try environment.integer("KINSHIP_BENCH_CONSUMER_BATCH_SIZE", default: 1000, range: 1...100_000)
        parallelPartitions = try environment.integer("KINSHIP_BENCH_PARALLEL_PARTITIONS", default: 4, range: 1...1024)
        heartbeatMilliseconds = environment.optional("KINSHIP_BENCH_HEARTBEAT_MS") == nil
            ? nil : try environment.integer("KINSHIP_BENCH_HEARTBEAT_MS", default: 2000, range: 10...60_000)
    }
}
