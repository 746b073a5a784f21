import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import PostgresNIO
import Synchronization

/// Commit-to-handler latencies of the latency measure.
struct LatencySummary: Sendable {
    /// Messages committed per second, as achieved (the target is the configured rate).
    let achievedRate: Double
    /// Milliseconds, over the messages after the warm-up second.
    let p50: Double
    let p99: Double
    let max: Double
    let measured: Int
    /// Committed after the warm-up but not handled within the drain timeout.
    let unhandled: Int
    /// Handler calls for a message it had already seen (any message of the run).
    let redelivered: Int
}

/// When each message's commit returned to its producer and when a handler first saw it, by message key.
private final class LatencyLog: Sendable {
    private let committed = Mutex<[String: ContinuousClock.Instant]>([:])
    private let handled = Mutex<[String: ContinuousClock.Instant]>([:])
    private let repeats = Atomic<Int>(0)

    var redelivered: Int { repeats.load(ordering: .relaxed) }

    func commitReturned(_ key: String, at instant: ContinuousClock.Instant) {
        committed.withLock { $0[key] = instant }
    }

    /// Whether this is the first time the key is seen (a redelivery keeps the first instant).
    func handlerSaw(_ key: String, at instant: ContinuousClock.Instant) -> Bool {
        let first = handled.withLock { handled in
            guard handled[key] == nil else { return false }
            handled[key] = instant
            return true
        }
        if !first { repeats.wrappingAdd(1, ordering: .relaxed) }
        return first
    }

    /// Milliseconds from commit to handler for each key that has both.
    func latencies(of keys: [String]) -> (milliseconds: [Double], missing: Int) {
        let committed = committed.withLock { $0 }
        let handled = handled.withLock { $0 }
        var milliseconds: [Double] = []
        var missing = 0
        for key in keys {
            guard let start = committed[key], let end = handled[key] else {
                missing += 1
                continue
            }
            milliseconds.append((end - start).inMilliseconds)
        }
        return (milliseconds, missing)
    }
}

extension OutboxBenchmark {
    /// One consumer in this process while a producer commits single-message transactions at a fixed rate,
    /// open loop (a slow commit does not delay the next one). The first second is warm-up.
    func measureLatency(_ database: PostgresClient) async throws -> LatencySummary {
        let group = "bench-latency-\(runID)"
        let rate = configuration.latencyRate
        let total = rate * configuration.latencySeconds
        progress("latency: \(total) single-message transactions at \(rate) msgs/s (group \(group))")
        try await resetOutbox(database)
        await checkpoint(database)

        let log = LatencyLog()
        let counter = HandledCounter(target: total)
        let (logger, options, url) = (self.logger, configuration.consumerOptions, configuration.database)
        let produced = try await url.withClient(logger: poolLogger) { consumerDatabase in
            try await url.withClient(logger: poolLogger) { producerDatabase in
                let consumer = OutboxConsumer(
                    group: group, topic: Self.topic, database: consumerDatabase, logger: logger, options: options,
                    workerID: "\(group)-worker"
                ) { message, _ in
                    if log.handlerSaw(message.key, at: .now) { counter.increment() }
                }
                return try await consumer.running(timeout: .seconds(configuration.latencySeconds + 120), logger: logger) {
                    try await waitUntilLeased(group: group, database)
                    let produced = try await produceAtFixedRate(total: total, rate: rate, producerDatabase, log)
                    if !(await counter.waitForTarget(upTo: .seconds(10))) {
                        progress("  only \(counter.value) of \(total) handled 10 s after the last commit")
                    }
                    return produced
                }
            }
        }

        let keys = (rate..<total).map(Self.key)
        let (milliseconds, missing) = log.latencies(of: keys)
        let sorted = milliseconds.sorted()
        let summary = LatencySummary(
            achievedRate: perSecond(total, produced),
            p50: percentile(0.50, of: sorted), p99: percentile(0.99, of: sorted), max: sorted.last ?? 0,
            measured: sorted.count, unhandled: missing, redelivered: log.redelivered
        )
        progress(String(format: "  p50 %.1f ms, p99 %.1f ms at %.0f msgs/s", summary.p50, summary.p99, summary.achievedRate))
        return summary
    }

    /// Starts message n's transaction at start + n / rate, each in its own task; returns when all committed.
    private func produceAtFixedRate(total: Int, rate: Int, _ database: PostgresClient, _ log: LatencyLog) async throws -> Duration {
        let logger = self.logger
        let interval = Duration.seconds(1) / rate
        let start = ContinuousClock.now
        try await withThrowingDiscardingTaskGroup { group in
            for n in 0..<total {
                try await Task.sleep(until: start + interval * n, clock: .continuous)
                let draft = OutboxDraft(
                    topic: Self.topic, workspaceID: workspaceID, key: Self.key(n), payload: Self.payload(n, bytes: configuration.payloadBytes)
                )
                group.addTask {
                    try await database.transaction(logger: logger) { connection in
                        try await Outbox.append([draft], on: connection, logger: logger)
                    }
                    log.commitReturned(draft.key, at: .now)
                }
            }
        }
        return .now - start
    }

    /// Waits until the group's consumer holds every partition, so the load starts on a ready consumer.
    private func waitUntilLeased(group: String, _ database: PostgresClient) async throws {
        while true {
            let leased = try await database.query(
                """
                SELECT count(*)::int FROM outbox_leases
                WHERE consumer_group = \(group) AND topic = \(Self.topic.name) AND owner IS NOT NULL AND expires_at > now()
                """,
                logger: logger
            ).decode(Int.self).first(where: { _ in true }) ?? 0
            if leased == Self.topic.partitions { return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
