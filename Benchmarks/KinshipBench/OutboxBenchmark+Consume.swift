import Foundation
import KinshipChildProcess
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import PostgresNIO

extension OutboxBenchmark {
    /// One in-process consumer, a fresh group, a handler that only counts: the time from its start until
    /// it has handled every produced message, or until its cursors have passed them all (when it skipped some).
    func measureOneWorker(_ database: PostgresClient) async throws -> ConsumeMeasure {
        let group = "bench-one-\(runID)"
        progress("consume: one worker (group \(group))")
        try await resetConsumers(database)
        await checkpoint(database)
        let end = try await OutboxEnd.read(Self.topic, database, logger: self.logger)
        let counter = HandledCounter(target: configuration.messages)
        let (logger, options) = (self.logger, configuration.consumerOptions)
        let elapsed = try await configuration.database.withClient(logger: poolLogger) { consumerDatabase in
            let consumer = OutboxConsumer(
                group: group, topic: Self.topic, database: consumerDatabase, logger: logger, options: options,
                workerID: "\(group)-worker"
            ) { _, _ in
                // Nothing but the count: a real handler's idempotent write is its own cost, not the bus's.
                counter.increment()
            }
            let start = ContinuousClock.now
            return try await consumer.running(timeout: .seconds(1800), logger: logger) {
                try await withThrowingTaskGroup(of: Void.self) { race in
                    race.addTask { await counter.waitForTarget() }
                    race.addTask {
                        while !(try await end.reached(by: group, database, logger: logger)) {
                            try await Task.sleep(for: .milliseconds(20))
                        }
                    }
                    defer { race.cancelAll() }
                    try await race.next()
                }
                return ContinuousClock.now - start
            }
        }
        let measure = ConsumeMeasure(duration: elapsed, handled: counter.value)
        progress("  \(Int(perSecond(configuration.messages, elapsed))) msgs/s, \(measure.handled) handled")
        return measure
    }

    /// Two worker processes (this binary as `outbox-worker`) in a fresh group: the time from starting them
    /// until the group's cursors have passed every produced message.
    func measureTwoWorkers(_ database: PostgresClient) async throws -> ConsumeMeasure {
        let group = "bench-two-\(runID)"
        let workers = ["\(group)-a", "\(group)-b"]
        progress("consume: two worker processes (group \(group))")
        try await resetConsumers(database)
        await checkpoint(database)
        let end = try await OutboxEnd.read(Self.topic, database, logger: logger)
        // Both workers registered and the partitions split between them up front, so the measure is of
        // two balanced workers from the start. Left to the heartbeats, the first worker up takes every free
        // partition (the claim's `IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)` is rescanned per row, so its
        // LIMIT does not hold) and gives the extra back only at its next heartbeat, two seconds later.
        let owners = (0..<Self.topic.partitions).map { workers[$0 * workers.count / Self.topic.partitions] }
        try await database.transaction(logger: logger) { connection in
            try await connection.query(
                """
                INSERT INTO outbox_workers (consumer_group, topic, worker_id, expires_at)
                SELECT \(group), \(Self.topic.name), worker, now() + interval '10 seconds' FROM unnest(\(workers)::text[]) AS worker
                """,
                logger: logger
            )
            try await connection.query(
                """
                INSERT INTO outbox_leases (consumer_group, topic, partition, owner, expires_at)
                SELECT \(group), \(Self.topic.name), partition - 1, owner, now() + interval '10 seconds'
                FROM unnest(\(owners)::text[]) WITH ORDINALITY AS lease (owner, partition)
                """,
                logger: logger
            )
        }

        let start = ContinuousClock.now
        let processes = try workers.map { try launchWorker(group: group, worker: $0) }
        let elapsed: Duration
        do {
            while !(try await end.reached(by: group, database, logger: logger)) {
                for process in processes { try process.requireRunning() }
                try await Task.sleep(for: .milliseconds(10))
            }
            elapsed = .now - start
            let split = try await database.query(
                "SELECT coalesce(owner, 'nobody'), count(*)::int FROM outbox_leases WHERE consumer_group = \(group) GROUP BY owner ORDER BY 1",
                logger: logger
            ).decode((String, Int).self).collectAll()
            progress("  partitions held: " + split.map { "\($0.0) \($0.1)" }.joined(separator: ", "))
        } catch {
            await stop(processes)
            throw error
        }
        await stop(processes)
        // Each worker prints how many messages its handler saw as it stops.
        let handled = processes.reduce(0) { sum, worker in
            sum + (Int(worker.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0)
        }

        // The operators' view must agree: every partition of the group owned once, with nothing left.
        let status = try await OutboxAdministration(database: database, logger: logger).status(group: group)
        let behind = status.filter { $0.lagMessages > 0 }
        guard status.count == Self.topic.partitions, behind.isEmpty else {
            throw BenchFailure("after the two workers, \(status.count) cursors and lag on partitions \(behind.map(\.partition))")
        }
        let measure = ConsumeMeasure(duration: elapsed, handled: handled)
        progress("  \(Int(perSecond(configuration.messages, elapsed))) msgs/s, \(measure.handled) handled")
        return measure
    }

    /// This binary as `outbox-worker`, with this process's whole environment (the worker reads the same
    /// configuration); it prints its count on standard output, and its logs join this process's.
    private func launchWorker(group: String, worker: String) throws -> ChildProcess {
        try ChildProcess(
            Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0]), arguments: ["outbox-worker"],
            environment: ["KINSHIP_BENCH_GROUP": group, "KINSHIP_BENCH_WORKER": worker], inheriting: .all, output: .standardOutputFile
        )
    }

    /// SIGTERM (a graceful drain) to all at once, then SIGKILL for a worker still running after 10 s.
    private func stop(_ processes: [ChildProcess]) async {
        await withTaskGroup(of: Void.self) { group in
            for process in processes { group.addTask { await process.stop(grace: .seconds(10)) } }
        }
    }
}

/// How long a consumer measure took, and how many messages its handlers saw (duplicates included).
struct ConsumeMeasure: Sendable {
    let duration: Duration
    let handled: Int
}
