import Foundation
import IdentityService
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import NIOCore
import PostgresNIO
import SegmentationService

/// Events at a steady rate through identity and segmentation: the time from each event's commit to the
/// `segment.entered` message it caused.
struct RealtimeMeasure: Sendable {
    let targetRate: Int
    /// Events committed per second, from the first scheduled start to the last commit.
    let achievedRate: Double
    let events: Int
    let transactions: Int
    /// Measured events from people the warm-up introduced (the others are from new people).
    let returning: Int
    /// Milliseconds from an event's commit to its `segment.entered` message, over the events after the first second.
    let p50: Double
    let p99: Double
    let max: Double
    let measured: Int
    /// Milliseconds from an event's commit to the `resolutions` message identity announced it in (the same events).
    let resolvedP50: Double
    let resolvedP99: Double
    /// Events without a `segment.entered` message, and people who entered more than once.
    let unanswered: Int
    let repeated: Int
    /// The warm-up: storing its events and waiting until both services had caught up (set-up, not a measure).
    let warmup: Duration
    /// From the first event to the last entry: the load and the drain after it.
    let usage: MeasureUsage
}

extension SegmentationBenchmark {
    /// Creates the probe segment, then, with identity's and segmentation's consumers running in this process,
    /// stores the warm-up's events (one per returning person) and waits until both services have caught up;
    /// then commits `realtimeRate` probe events per second for `realtimeSeconds`, open loop, as ingestion
    /// stores them (`events` rows and their `events` outbox references in one transaction per writer, as
    /// many writers as ingestion has), noting when each commit returned; and waits until every probe's
    /// person has entered the segment. Each `segment.entered` message is matched to its event through the
    /// person's `event_profiles` row; its time is the message's `outbox.created_at`, the clock when
    /// segmentation wrote it, in the transaction that made the entry.
    func measureRealtime(_ workspace: DemoShopWorkspace, _ database: PostgresClient) async throws -> RealtimeMeasure {
        let (rate, w, logger) = (configuration.realtimeRate, workspace.workspaceID, self.logger)
        let total = rate * configuration.realtimeSeconds
        let returning = RealtimeProbe.returningPeople(of: total)
        let segment = try await database.transaction(logger: logger) { connection in
            let segment = try await SegmentStore.create(RealtimeProbe.segment, in: w, on: connection, logger: logger)
            _ = try await SegmentRecompute.run(segment, in: w, now: Date(), on: connection, logger: logger)
            return segment
        }
        progress("realtime: identity's and segmentation's consumers in this process; warm-up of \(returning) returning people")
        return try await withConsumers(workspace) {
            let warmup = try await warmUp(returning, workspace, database)
            await checkpoint(database)
            let outboxBefore = try await database.query("SELECT coalesce(max(id), 0) FROM outbox", logger: logger)
                .decode(Int64.self).collectAll().first ?? 0
            progress("  \(total) probe events at \(rate) events/s, half from returning people")
            let ingestion = workspace.ingestion
            let (load, usage) = try await observing([getpid()], postmaster: configuration.postgresPID) {
                let load = try await commitSteadily(total: total, rate: rate, writers: IdentityBenchmark.lagWriters) { events in
                    let time = Timestamp.format(Date())
                    var rows = ByteBuffer()
                    let drafts = try events.map { k in try ingestion.store(RealtimeProbe.event(k, time: time), into: &rows) }
                    try await ingestion.write(rows: rows, drafts: drafts, database, logger: logger)
                }
                _ = try await waitUntil("probes entered", every: .milliseconds(100), failOnStall: false) {
                    let entered = try await openMembers(of: segment.id, w, database)
                    return (entered, entered >= total)
                }
                return load
            }
            return try await realtimeFigures(load, segment, outboxBefore: outboxBefore, returning: returning, warmup: warmup, usage: usage, workspace, database)
        }
    }

    /// Matches each probe event to the first `segment.entered` of its person in the probe segment.
    private func realtimeFigures(
        _ load: SteadyCommits, _ segment: StoredSegment, outboxBefore: Int64, returning: Int, warmup: Duration, usage: MeasureUsage,
        _ workspace: DemoShopWorkspace, _ database: PostgresClient
    ) async throws -> RealtimeMeasure {
        let (w, total, rate) = (workspace.workspaceID, load.committed.count, configuration.realtimeRate)
        var eventOf: [String: Int] = [:]
        for try await (profile, messageId) in try await database.query(
            """
            SELECT profile_id, message_id FROM event_profiles
            WHERE workspace_id = \(w) AND starts_with(message_id, \(RealtimeProbe.measuredPrefix))
            """,
            logger: logger
        ).decode((UUID, String).self) {
            eventOf[profile.lowercased] = Int(messageId.dropFirst(RealtimeProbe.measuredPrefix.count))
        }
        let entries = try await probeMessages(on: .segments, since: outboxBefore, w, database) { payload in
            let change = try JSONCoding.decode(SegmentMembershipChange.self, from: Data(payload.utf8))
            guard change.kind == .entered, change.segmentId == segment.id.lowercased, let k = eventOf[change.profileId] else { return [] }
            return [k]
        }
        // Where the time goes: identity's part ends with the `resolutions` message announcing the event.
        let resolutions = try await probeMessages(on: .resolutions, since: outboxBefore, w, database) { payload in
            try EventResolution.list(in: payload).compactMap { resolved in
                resolved.messageId.hasPrefix(RealtimeProbe.measuredPrefix) ? Int(resolved.messageId.dropFirst(RealtimeProbe.measuredPrefix.count)) : nil
            }
        }
        let lags = (0..<total).map { k in entries[k]?.min().map { ($0 - load.committed[k]) * 1000 } }
        let sorted = lags.dropFirst(rate).compactMap { $0 }.sorted()
        let resolved = (0..<total).dropFirst(rate).compactMap { k in resolutions[k]?.min().map { ($0 - load.committed[k]) * 1000 } }.sorted()
        let measure = RealtimeMeasure(
            targetRate: rate, achievedRate: load.achievedRate, events: total, transactions: load.transactions, returning: returning,
            p50: percentile(0.50, of: sorted), p99: percentile(0.99, of: sorted), max: lags.compactMap { $0 }.max() ?? 0, measured: sorted.count,
            resolvedP50: percentile(0.50, of: resolved), resolvedP99: percentile(0.99, of: resolved),
            unanswered: lags.count(where: { $0 == nil }), repeated: entries.values.count(where: { $0.count > 1 }), warmup: warmup, usage: usage
        )
        progress(String(format: "  p50 %.0f ms, p99 %.0f ms, max %.0f ms at %.0f events/s (%.1f events per transaction); identity's part p50 %.0f ms, p99 %.0f ms; ",
                        measure.p50, measure.p99, measure.max, measure.achievedRate, Double(total) / Double(Swift.max(load.transactions, 1)),
                        measure.resolvedP50, measure.resolvedP99)
            + "\(measure.unanswered) without an entry, \(measure.repeated) entered more than once")
        return measure
    }

    /// The `outbox.created_at` (seconds since 1970) of every message of `topic` in the workspace since
    /// `outboxBefore`, by the probe events `probes` finds in its payload.
    private func probeMessages(
        on topic: OutboxTopic, since outboxBefore: Int64, _ workspaceID: UUID, _ database: PostgresClient, probes: (String) throws -> [Int]
    ) async throws -> [Int: [Double]] {
        var times: [Int: [Double]] = [:]
        for try await (payload, createdAt) in try await database.query(
            """
            SELECT payload::text, extract(epoch FROM created_at)::float8 FROM outbox
            WHERE id > \(outboxBefore) AND topic = \(topic.name) AND workspace_id = \(workspaceID)
            """,
            logger: logger
        ).decode((String, Double).self) {
            for k in try probes(payload) { times[k, default: []].append(createdAt) }
        }
        return times
    }

    /// Stores one event for each returning person (5,000 per transaction) and waits until identity has
    /// resolved them all and segmentation's cursors have passed what identity announced. Set-up: returns
    /// how long it took.
    private func warmUp(_ people: Int, _ workspace: DemoShopWorkspace, _ database: PostgresClient) async throws -> Duration {
        let (start, logger, w) = (ContinuousClock.now, self.logger, workspace.workspaceID)
        for chunk in stride(from: 0, to: people, by: 5_000) {
            let time = Timestamp.format(Date())
            var rows = ByteBuffer()
            let drafts = try (chunk..<min(chunk + 5_000, people)).map { j in
                try workspace.ingestion.store(RealtimeProbe.warmupEvent(j, time: time), into: &rows)
            }
            try await workspace.ingestion.write(rows: rows, drafts: drafts, database, logger: logger)
        }
        _ = try await waitUntil("warm-up events resolved by identity", every: .milliseconds(500), failOnStall: true) {
            let resolved = try await database.query(
                "SELECT count(*)::int FROM event_profiles WHERE workspace_id = \(w) AND starts_with(message_id, \(RealtimeProbe.warmupPrefix))",
                logger: logger
            ).decode(Int.self).collectAll().first ?? 0
            return (resolved, resolved >= people)
        }
        // Caught up when the cursors have passed what identity announced; the count of warm-up people
        // evaluated shows progress meanwhile.
        let announced = [try await OutboxEnd.read(.resolutions, database, logger: logger), try await OutboxEnd.read(.profiles, database, logger: logger)]
        _ = try await waitUntil("warm-up people evaluated by segmentation", every: .milliseconds(500), failOnStall: true) {
            var caughtUp = true
            for end in announced { caughtUp = try await end.reached(by: ProfileChangeConsumer.consumerGroup, database, logger: logger) && caughtUp }
            let evaluated = try await database.query(
                """
                SELECT count(*)::int FROM event_profiles ep
                JOIN segment_profiles sp ON sp.workspace_id = ep.workspace_id AND sp.profile_id = ep.profile_id
                WHERE ep.workspace_id = \(w) AND starts_with(ep.message_id, \(RealtimeProbe.warmupPrefix))
                """,
                logger: logger
            ).decode(Int.self).collectAll().first ?? 0
            return (evaluated, caughtUp)
        }
        let took = ContinuousClock.now - start
        progress(String(format: "  warm-up (set-up, not measured): %d events stored, resolved and evaluated in %.1f s", people, took.inMilliseconds / 1000))
        return took
    }

    /// A segment's members now.
    func openMembers(of segment: UUID, _ workspaceID: UUID, _ database: PostgresClient) async throws -> Int {
        try await database.query(
            "SELECT count(*)::int FROM memberships WHERE workspace_id = \(workspaceID) AND segment_id = \(segment) AND exited_at IS NULL",
            logger: logger
        ).decode(Int.self).collectAll().first ?? 0
    }
}
