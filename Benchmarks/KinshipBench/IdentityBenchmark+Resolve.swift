import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import PostgresNIO

/// One resolution run: how long the workers took to resolve the whole stream, and what they left.
struct ResolveMeasure: Sendable {
    let workers: Int
    let events: Int
    let duration: Duration
    let usage: MeasureUsage
    let outcome: IdentityOutcome
    /// Partitions each worker held at the end ("worker count, …").
    let leases: String

    var eventsPerSecond: Double { perSecond(events, duration) }
}

/// The identity graph a run left, counted in the database.
struct IdentityOutcome: Sendable {
    /// Stream events without a profile: never resolved.
    let unresolved: Int
    /// Profiles not merged into another.
    let liveProfiles: Int
    /// Events pointing at a profile that was merged away (a merge must re-point them).
    let eventsOnMergedProfiles: Int
    let identities: Int
    let merges: Int
    let conflicts: Int
    /// Events the consumer gave up on (dead letters of the `identity` group).
    let deadLetters: Int
}

extension IdentityBenchmark {
    /// The time from starting the workers until the `identity` group's cursors have passed every event
    /// of the stream, polled every 50 ms; then what they left. Progress every 10 s (estimated from the
    /// cursors); fails when a worker exits or nothing was resolved for `stallSeconds`.
    func measureResolution(
        _ stream: IdentityStream, _ bench: IdentityBenchWorkspace, _ workers: Workers, _ database: PostgresClient
    ) async throws -> ResolveMeasure {
        let total = stream.events.count
        let count = workers.services.count
        progress("resolve: \(total) events, \(count) identity worker\(count == 1 ? "" : "s")")
        let end = try await OutboxEnd.read(.events, database, logger: logger)
        let start = try await end.cursors(of: Self.consumerGroup, database, logger: logger)
        let (duration, usage) = try await observing(workers.pids, postmaster: configuration.postgresPID) {
            try await waitForCursors(past: end, workers, database) {
                let now = try await end.cursors(of: Self.consumerGroup, database, logger: logger)
                let resolved = Int(end.fractionPassed(from: start, to: now) * Double(total))
                progress("  about \(resolved) of \(total) events resolved, \(Int(perSecond(resolved, .now - workers.launched))) events/s so far")
                return resolved
            } stalled: { resolved in
                "identity resolved nothing for \(configuration.stallSeconds) s (about \(resolved) of \(total) events resolved)"
            }
            return ContinuousClock.now - workers.launched
        }
        let leases = try await database.query(
            """
            SELECT coalesce(owner, 'nobody'), count(*)::int FROM outbox_leases
            WHERE consumer_group = \(Self.consumerGroup) AND topic = \(OutboxTopic.events.name) GROUP BY owner ORDER BY 1
            """,
            logger: logger
        ).decode((String, Int).self).collectAll().map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        let outcome = try await self.outcome(bench, database)
        progress("  \(Int(perSecond(total, duration))) events/s; \(outcome.liveProfiles) live profiles (a correct resolver: \(stream.expectedProfiles)), "
            + "\(outcome.unresolved) events unresolved, \(outcome.merges) merges, \(outcome.conflicts) conflicts; partitions held: \(leases)")
        return ResolveMeasure(workers: count, events: total, duration: duration, usage: usage, outcome: outcome, leases: leases)
    }

    /// Polls every 50 ms until the `identity` group's cursors have passed `end`. Every 10 s it counts what
    /// was resolved (`resolved`, which also reports it); fails when a worker exits or the count has not
    /// changed for `stallSeconds` (`stalled` says so).
    func waitForCursors(
        past end: OutboxEnd, _ workers: Workers, _ database: PostgresClient,
        resolved: () async throws -> Int, stalled: (Int) -> String
    ) async throws {
        var lastReport = ContinuousClock.now
        var lastResolved = -1
        var lastChange = ContinuousClock.now
        while !(try await end.reached(by: Self.consumerGroup, database, logger: logger)) {
            try workers.checkRunning()
            if ContinuousClock.now - lastReport >= .seconds(10) {
                lastReport = .now
                let count = try await resolved()
                if count != lastResolved {
                    (lastResolved, lastChange) = (count, .now)
                } else if ContinuousClock.now - lastChange > .seconds(configuration.stallSeconds) {
                    throw BenchFailure(stalled(count))
                }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func outcome(_ bench: IdentityBenchWorkspace, _ database: PostgresClient) async throws -> IdentityOutcome {
        let w = bench.workspaceID
        return IdentityOutcome(
            unresolved: try await count(
                """
                SELECT count(*)::int FROM events e
                WHERE e.workspace_id = \(w) AND starts_with(e.message_id, \(Self.streamPrefix)) AND NOT EXISTS (
                  SELECT FROM event_profiles p WHERE p.workspace_id = e.workspace_id AND p.received_at = e.received_at AND p.message_id = e.message_id)
                """,
                database
            ),
            liveProfiles: try await count("SELECT count(*)::int FROM profiles WHERE workspace_id = \(w) AND merged_into IS NULL", database),
            eventsOnMergedProfiles: try await count(
                """
                SELECT count(*)::int FROM event_profiles e JOIN profiles p ON p.workspace_id = e.workspace_id AND p.id = e.profile_id
                WHERE e.workspace_id = \(w) AND p.merged_into IS NOT NULL
                """,
                database
            ),
            identities: try await count("SELECT count(*)::int FROM identities WHERE workspace_id = \(w)", database),
            merges: try await count("SELECT count(*)::int FROM profile_merges WHERE workspace_id = \(w)", database),
            conflicts: try await count("SELECT count(*)::int FROM identity_conflicts WHERE workspace_id = \(w)", database),
            deadLetters: try await count(
                "SELECT count(*)::int FROM outbox_dead_letters WHERE consumer_group = \(Self.consumerGroup) AND workspace_id = \(w)", database
            )
        )
    }
}
