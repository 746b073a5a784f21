import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// Consumes one topic for one consumer group: leases a fair share of its partitions, reads committed
/// messages in order per partition, and hands each to `handler` inside the transaction that advances
/// the group's cursor, so a handler's own writes and the cursor commit together (effectively once).
///
/// Handlers with effects outside Postgres get each message at least once; `OutboxMessage.id` lets them
/// recognise a repeat.
public struct OutboxConsumer: Service {
    public typealias Handler = @Sendable (OutboxMessage, PostgresConnection) async throws -> Void

    public let group: String
    public let topic: OutboxTopic
    public let workerID: String
    let database: PostgresClient
    let options: OutboxConsumerOptions
    let handler: Handler
    let logger: Logger
    let metrics: OutboxMetrics

    public init(
        group: String, topic: OutboxTopic, database: PostgresClient, logger: Logger,
        options: OutboxConsumerOptions = OutboxConsumerOptions(),
        workerID: String = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))",
        handler: @escaping Handler
    ) {
        self.group = group
        self.topic = topic
        self.workerID = workerID
        self.database = database
        self.options = options
        self.handler = handler
        self.logger = logger
        self.metrics = OutboxMetrics(group: group, topic: topic.name)
    }

    public func run() async throws {
        let doorbell = Doorbell()
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await listen(ringing: doorbell) }
            tasks.addTask { await consume(doorbell: doorbell) }
            await tasks.next()
            tasks.cancelAll()
        }
        try? await releaseLeases()
    }

    /// The loop: heartbeat and rebalance on schedule, drain owned partitions, sleep until notified.
    private func consume(doorbell: Doorbell) async {
        var owned: [Int] = []
        var nextHeartbeat = ContinuousClock.now
        var retryAfter: [Int: ContinuousClock.Instant] = [:]
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if ContinuousClock.now >= nextHeartbeat {
                do {
                    owned = try await heartbeat()
                    await reportLag(owned)
                } catch {
                    logger.warning("outbox heartbeat failed", metadata: ["group": "\(group)", "error": "\(String(reflecting: error))"])
                    owned = []
                }
                nextHeartbeat = ContinuousClock.now + options.heartbeatInterval
            }
            let now = ContinuousClock.now
            let ready = owned.filter { (retryAfter[$0] ?? now) <= now }
            let outcomes = await drain(ready, until: nextHeartbeat)
            var progressed = false
            for outcome in outcomes {
                progressed = progressed || outcome.progressed
                switch outcome.last {
                case .progressed, .idle: retryAfter[outcome.partition] = nil
                case .retryLater(let delay): retryAfter[outcome.partition] = ContinuousClock.now + delay
                case .leaseLost: owned.removeAll { $0 == outcome.partition }
                }
            }
            // A partition stopped by the deadline may hold more: go round again rather than sleep.
            if progressed { continue }
            var sleep = min(options.pollInterval, nextHeartbeat - ContinuousClock.now)
            if let earliest = retryAfter.values.min() { sleep = min(sleep, earliest - ContinuousClock.now) }
            if sleep > .zero { await doorbell.wait(upTo: sleep) }
        }
    }

    /// Processes batches of the given partitions, a few at a time, until each is drained or time is up.
    /// Returns, per partition, whether it made progress and how its last batch ended.
    private func drain(_ partitions: [Int], until deadline: ContinuousClock.Instant) async -> [(partition: Int, progressed: Bool, last: BatchOutcome)] {
        await withTaskGroup(of: (partition: Int, progressed: Bool, last: BatchOutcome).self) { tasks in
            var pending = partitions[...]
            func startNext() {
                guard let partition = pending.popFirst() else { return }
                tasks.addTask {
                    var progressed = false
                    var last = BatchOutcome.idle
                    repeat {
                        do {
                            last = try await processBatch(partition: partition)
                        } catch {
                            logger.warning("outbox batch failed", metadata: [
                                "group": "\(group)", "partition": "\(partition)", "error": "\(String(reflecting: error))",
                            ])
                            last = .retryLater(options.initialBackoff)
                        }
                        if case .progressed = last { progressed = true } else { break }
                    } while ContinuousClock.now < deadline && !Task.isCancelled
                    return (partition, progressed, last)
                }
            }
            for _ in 0..<max(1, options.parallelPartitions) { startNext() }
            var outcomes: [(partition: Int, progressed: Bool, last: BatchOutcome)] = []
            for await outcome in tasks {
                outcomes.append(outcome)
                startNext()
            }
            return outcomes
        }
    }

    private func listen(ringing doorbell: Doorbell) async {
        while !Task.isCancelled {
            do {
                try await database.withConnection { connection in
                    for try await notification in try await connection.listen(Outbox.notificationChannel)
                    where notification.payload == topic.name {
                        doorbell.ring()
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("outbox listener lost its connection; polling until it is back", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: options.pollInterval)
            }
        }
    }
}
