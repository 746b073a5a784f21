import Foundation
import KinshipCore
import KinshipDatabase
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Consumes one topic for one consumer group: leases a fair share of its partitions, reads committed
/// messages in order per partition, and hands each to `handler` inside the transaction that advances
/// the group's cursor, so a handler's own writes and the cursor commit together (effectively once).
///
/// Handlers with effects outside Postgres get each message at least once; `OutboxMessage.id` lets them
/// recognise a repeat.
public struct OutboxConsumer: Service {
    public typealias Handler = @Sendable (OutboxMessage, PostgresConnection) async throws -> Void
    /// Handles a batch at once, in order, and returns how many of its messages it handled: all, or a
    /// leading part of at least one (the rest come again in the next batch). When it fails, the batch is
    /// handled again one message at a time by `handler`, so the failing message is found, retried and
    /// dead-lettered alone.
    public typealias BatchHandler = @Sendable ([OutboxMessage], PostgresConnection) async throws -> Int

    public let group: String
    public let topic: OutboxTopic
    public let workerID: String
    let database: PostgresClient
    let options: OutboxConsumerOptions
    let handler: Handler
    let batchHandler: BatchHandler?
    let logger: Logger
    let metrics: OutboxMetrics

    public init(
        group: String, topic: OutboxTopic, database: PostgresClient, logger: Logger,
        options: OutboxConsumerOptions = OutboxConsumerOptions(),
        workerID: String = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))",
        batchHandler: BatchHandler? = nil,
        handler: @escaping Handler
    ) {
        self.group = group
        self.topic = topic
        self.workerID = workerID
        self.database = database
        self.options = options
        self.handler = handler
        self.batchHandler = batchHandler
        self.logger = logger
        self.metrics = OutboxMetrics(group: group, topic: topic.name)
    }

    public func run() async throws {
        let scheduler = PartitionScheduler(pollInterval: options.pollInterval)
        let readLimits = ReadLimits()
        await withTaskGroup(of: Void.self) { listening in
            listening.addTask { await listen(marking: scheduler) }
            await withTaskGroup(of: Void.self) { working in
                working.addTask {
                    await coordinate(scheduler)
                    // Shutting down: workers finish the batch in hand, then find the queue closed.
                    scheduler.close()
                }
                for _ in 0..<max(1, options.parallelPartitions) {
                    working.addTask { await work(scheduler, readLimits) }
                }
            }
            listening.cancelAll()
        }
        try? await releaseLeases()
    }

    /// Heartbeats and rebalances on schedule, reports lag, runs the fallback poll and the retry timers.
    private func coordinate(_ scheduler: PartitionScheduler) async {
        var nextHeartbeat = ContinuousClock.now
        var nextLagReport = ContinuousClock.now
        var nextPoll = ContinuousClock.now + options.pollInterval
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if ContinuousClock.now >= nextHeartbeat {
                do {
                    scheduler.own(try await heartbeat())
                } catch {
                    logger.warning("outbox heartbeat failed", metadata: ["group": "\(group)", "error": "\(String(reflecting: error))"])
                    scheduler.own([])
                }
                nextHeartbeat = ContinuousClock.now + options.heartbeatInterval
            }
            if ContinuousClock.now >= nextLagReport {
                // Counting the backlog costs a scan of it: measured less often than the heartbeat.
                await reportLag(scheduler.owned)
                nextLagReport = ContinuousClock.now + options.heartbeatInterval * 5
            }
            if ContinuousClock.now >= nextPoll {
                scheduler.markAll()
                nextPoll = ContinuousClock.now + options.pollInterval
            }
            let nextTimer = scheduler.fireTimers()
            let wake = [nextHeartbeat, nextPoll, nextTimer ?? nextPoll].min()!
            let sleep = wake - ContinuousClock.now
            if sleep > .zero { await scheduler.timerSet.wait(upTo: sleep) }
        }
    }

    /// Takes partitions from the scheduler and processes one batch of each at a time.
    ///
    /// A partition whose batch handler took only part of a batch is read about twice that much next time,
    /// and the read grows back to the batch size as batches are taken whole: identity takes messages up
    /// to a number of events, and reading a full batch of ingestion's many-event messages for each part
    /// moved many times what it handled.
    private func work(_ scheduler: PartitionScheduler, _ readLimits: ReadLimits) async {
        while let partition = await scheduler.next() {
            var outcome: BatchOutcome
            let limit = readLimits.limit(of: partition) ?? options.batchSize
            do {
                outcome = try await processBatch(partition: partition, limit: limit)
            } catch {
                if Task.isCancelled { return }
                logger.warning("outbox batch failed", metadata: [
                    "group": "\(group)", "partition": "\(partition)", "error": "\(String(reflecting: error))",
                ])
                outcome = .retryLater(options.initialBackoff)
            }
            readLimits.update(partition, after: outcome, read: limit, batchSize: options.batchSize)
            switch outcome {
            case .progressed, .handledPart: scheduler.finished(partition, then: .again)
            case .drained: scheduler.finished(partition, then: .rest)
            case .idle: scheduler.finished(partition, then: .rest)
            case .waitingForOlderTransactions: scheduler.finished(partition, then: .waitForOlderTransactions)
            case .retryLater(let delay): scheduler.finished(partition, then: .backOff(delay))
            case .leaseLost:
                // The next heartbeat drops or reclaims it; until then the poll finds it lost again, cheaply.
                scheduler.finished(partition, then: .backOff(options.heartbeatInterval))
            }
        }
    }

    /// Marks the partitions that committed appends name (`topic:partition`), or all for a bare topic;
    /// any notification also wakes the partitions waiting behind older transactions.
    private func listen(marking scheduler: PartitionScheduler) async {
        let prefix = topic.name + ":"
        while !Task.isCancelled {
            do {
                try await database.withConnection { connection in
                    for try await notification in try await connection.listen(Outbox.notificationChannel) {
                        let payload = notification.payload
                        scheduler.commitSeen()
                        if payload.hasPrefix(prefix), let partition = Int(payload.dropFirst(prefix.count)) {
                            scheduler.mark(CollectionOfOne(partition))
                        } else if payload == topic.name {
                            scheduler.markAll()
                        }
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

/// How many messages to read next from each partition whose batch handler last took only part of a batch
/// (none: a full batch), shared by the workers that take partitions in turn.
private final class ReadLimits: Sendable {
    private let limits = Mutex<[Int: Int]>([:])

    func limit(of partition: Int) -> Int? { limits.withLock { $0[partition] } }

    /// About twice what the handler took after it took part of a batch; twice the last read, up to the
    /// batch size, after a batch was taken whole.
    func update(_ partition: Int, after outcome: BatchOutcome, read limit: Int, batchSize: Int) {
        let next: Int
        switch outcome {
        case .handledPart(let handled): next = max(1, 2 * handled)
        case .progressed, .drained:
            guard limit < batchSize else { return }
            next = 2 * limit
        default: return
        }
        limits.withLock { $0[partition] = min(batchSize, next) }
    }
}
