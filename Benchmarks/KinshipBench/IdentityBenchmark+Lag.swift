import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import NIOCore
import PostgresNIO

/// New events at a fixed rate while one worker runs: the time from each event's commit to the first
/// `profile.created` or `profile.updated` message identity wrote for it.
struct LagMeasure: Sendable {
    let targetRate: Int
    /// Events committed per second, from the first scheduled start to the last commit.
    let achievedRate: Double
    let events: Int
    let transactions: Int
    /// Milliseconds, over the events after the first second.
    let p50: Double
    let p99: Double
    let max: Double
    let measured: Int
    /// Events identity wrote no `profile.*` message for.
    let unanswered: Int
    /// From the first event to the last answer: the load and the drain after it.
    let usage: MeasureUsage
}

extension IdentityBenchmark {
    /// Ingestion's default number of writers.
    static let lagWriters = 4

    /// Commits `latencyRate` new events per second for `latencySeconds`, open loop, with as many writers as
    /// ingestion has: each time a writer is free it stores every event that is due and not yet taken, in
    /// one transaction (as ingestion's group commit does), and notes the wall-clock time the commit
    /// returned. Each event makes identity write a `profile.updated` or `profile.created` (see `lagEvent`),
    /// whose `created_at` is the clock at identity's insert.
    func measureLag(_ stream: IdentityStream, _ bench: IdentityBenchWorkspace, _ workers: Workers, _ database: PostgresClient) async throws -> LagMeasure {
        let rate = configuration.latencyRate
        let total = rate * configuration.latencySeconds
        progress("lag: \(total) new events at \(rate) events/s, one identity worker, caught up")
        await checkpoint(database)
        let outboxBefore = try await count("SELECT coalesce(max(id), 0)::int FROM outbox", database)
        let logger = self.logger
        let (load, usage) = try await observing(workers.pids, postmaster: configuration.postgresPID) {
            let load = try await commitSteadily(total: total, rate: rate, writers: Self.lagWriters) { events in
                let receivedAt = Timestamp.format(Date())
                var rows = ByteBuffer()
                let drafts = try events.map { k in
                    try bench.store(Self.lagEvent(k, stream, receivedAt: receivedAt), into: &rows)
                }
                try await bench.write(rows: rows, drafts: drafts, database, logger: logger)
            }
            try await waitForLagEvents(total, bench, workers, database)
            return load
        }
        let (committed, transactions) = (load.committed, load.transactions)

        // Each lag event's first profile message, by the message id identity copied into it.
        var answered: [String: Double] = [:]
        for try await (messageId, createdAt) in try await database.query(
            """
            SELECT payload->>'messageId', extract(epoch FROM min(created_at))::float8 FROM outbox
            WHERE id > \(outboxBefore) AND topic = \(OutboxTopic.profiles.name) AND workspace_id = \(bench.workspaceID)
              AND payload->>'kind' = ANY(\([ProfileChange.Kind.created, .updated].map(\.rawValue))) AND starts_with(payload->>'messageId', \(Self.lagPrefix))
            GROUP BY 1
            """,
            logger: logger
        ).decode((String, Double).self) {
            answered[messageId] = createdAt
        }
        let lags = (0..<total).map { k in answered[Self.lagPrefix + String(k)].map { ($0 - committed[k]) * 1000 } }
        let sorted = lags.dropFirst(rate).compactMap { $0 }.sorted()
        let measure = LagMeasure(
            targetRate: rate, achievedRate: load.achievedRate, events: total, transactions: transactions,
            p50: percentile(0.50, of: sorted), p99: percentile(0.99, of: sorted), max: lags.compactMap { $0 }.max() ?? 0,
            measured: sorted.count, unanswered: lags.count(where: { $0 == nil }), usage: usage
        )
        progress(String(format: "  p50 %.0f ms, p99 %.0f ms, max %.0f ms at %.0f events/s (%.1f events per transaction), ",
                        measure.p50, measure.p99, measure.max, measure.achievedRate, Double(total) / Double(max(transactions, 1)))
            + "\(measure.unanswered) unanswered")
        return measure
    }

    /// Waits until the group's cursors have passed the lag events (progress every 10 s; fails when a
    /// worker exits or none was resolved for `stallSeconds`).
    private func waitForLagEvents(_ total: Int, _ bench: IdentityBenchWorkspace, _ workers: Workers, _ database: PostgresClient) async throws {
        let end = try await OutboxEnd.read(.events, database, logger: logger)
        try await waitForCursors(past: end, workers, database) {
            let resolved = try await count(
                """
                SELECT count(*)::int FROM event_profiles
                WHERE workspace_id = \(bench.workspaceID) AND starts_with(message_id, \(Self.lagPrefix))
                """,
                database
            )
            progress("  identity behind: \(resolved) of \(total) lag events resolved")
            return resolved
        } stalled: { resolved in
            "identity resolved no lag event for \(configuration.stallSeconds) s (\(resolved) of \(total))"
        }
    }

    /// Lag event k, stamped as received now: a page view from a device never seen before, four times in
    /// five by a person who logged in (user id and the new anonymous id: a customer on a new browser),
    /// else by a new visitor. Either attaches a new identifier, so identity writes a `profile.updated` or
    /// `profile.created` for it whatever order it resolves the events in (a trait change would not do:
    /// last write wins by event time, so an older event resolved after a newer one changes nothing).
    private static func lagEvent(_ k: Int, _ stream: IdentityStream, receivedAt: String) -> BenchEvent {
        var random = SplitMix64(seed: stream.seed ^ (0x1A6_0000_0000 &+ UInt64(k)))
        let messageId = lagPrefix + String(k)
        let device = Int32(stream.devices + k)
        var message = stream.envelope(messageId: messageId, device: device, receivedAt: receivedAt, eventTime: receivedAt, variety: random.next())
        message["type"] = .string("page")
        message["properties"] = message["context"]?["page"]
        var strongest = ("anonymous_id", stream.anonymousID(device))
        if random.below(5) != 0, !stream.loggedInPeople.isEmpty {
            let userID = stream.userID(stream.loggedInPeople[random.below(stream.loggedInPeople.count)])
            message["userId"] = .string(userID)
            strongest = ("user_id", userID)
        }
        return BenchEvent(
            messageId: messageId, type: "page", event: nil, receivedAt: receivedAt, eventTime: receivedAt, message: message, strongestID: strongest
        )
    }
}
