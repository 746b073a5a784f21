import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import PostgresNIO
import SegmentationService

/// Exits that time alone decides, made by the due-time loop: how late each happened after it fell due.
struct LatenessMeasure: Sendable {
    let setUp: DueSetUp
    /// Seconds from each exit's due moment to its `segment.exited` message.
    let p50: Double
    let p99: Double
    let max: Double
    let measured: Int
    /// Probe profiles that never left, and exits before their due moment (a wrong answer).
    let missing: Int
    let early: Int
    /// Seconds the set-up ran past the first due moment (0 when it ended before): lateness it would add.
    let overrun: Double
    /// From the first due moment to the last exit.
    let usage: MeasureUsage
}

extension SegmentationBenchmark {
    /// Sets the probe profiles up (`setUpDue`), starts segmentation's due-time loop (`DueProfiles`, its
    /// production interval) in this process, and from the first due moment waits until every probe profile
    /// has left the segment. An exit's lateness is its `segment.exited` message's `outbox.created_at` (the
    /// clock when the loop wrote it, in the transaction that closed the membership) minus the moment it fell
    /// due, its event's time plus the window. The loop evaluates whatever else is due meanwhile too (the
    /// shop's people, whose answers time changes as well).
    func measureLateness(_ workspace: DemoShopWorkspace, _ directory: WorkspaceKeyCache, _ database: PostgresClient) async throws -> LatenessMeasure {
        let setUp = try await setUpDue(workspace, directory, database)
        let (w, logger, segment) = (workspace.workspaceID, self.logger, setUp.segment)
        let outboxBefore = try await database.query("SELECT coalesce(max(id), 0) FROM outbox", logger: logger).decode(Int64.self).collectAll().first ?? 0
        let overrun = Swift.max(0, -setUp.firstDue.timeIntervalSinceNow)
        progress(String(format: "time-driven: the due-time loop in this process; %d exits fall due from %.0f s from now, over %d s",
                        setUp.profiles, setUp.firstDue.timeIntervalSinceNow, configuration.dueSpreadSeconds))
        let usage = try await withDueLoop(workspace) {
            try await Task.sleep(for: .milliseconds(Int(Swift.max(0, setUp.firstDue.timeIntervalSinceNow) * 1000)))
            let (_, usage) = try await observing([getpid()], postmaster: configuration.postgresPID) {
                try await waitUntil("probe exits", every: .seconds(1), failOnStall: false) {
                    let exited = setUp.profiles + setUp.calibrationProfiles - (try await openMembers(of: segment.id, w, database))
                    return (exited, exited >= setUp.profiles)
                }
            }
            return usage
        }
        return try await latenessFigures(setUp, outboxBefore: outboxBefore, overrun: overrun, usage: usage, w, database)
    }

    /// Matches each probe profile's `segment.exited` message to the moment it fell due.
    private func latenessFigures(
        _ setUp: DueSetUp, outboxBefore: Int64, overrun: Double, usage: MeasureUsage, _ workspaceID: UUID, _ database: PostgresClient
    ) async throws -> LatenessMeasure {
        var dueAt: [String: Double] = [:]
        for try await (profile, eventTime) in try await database.query(
            """
            SELECT profile_id, extract(epoch FROM event_time)::float8 FROM event_profiles
            WHERE workspace_id = \(workspaceID) AND starts_with(message_id, \(DueProbe.measuredPrefix))
            """,
            logger: logger
        ).decode((UUID, Double).self) {
            dueAt[profile.lowercased] = eventTime + DueProbe.window
        }
        var exits: [String: Double] = [:]
        for try await (payload, createdAt) in try await database.query(
            """
            SELECT payload::text, extract(epoch FROM created_at)::float8 FROM outbox
            WHERE id > \(outboxBefore) AND topic = \(OutboxTopic.segments.name) AND workspace_id = \(workspaceID)
            """,
            logger: logger
        ).decode((String, Double).self) {
            let change = try JSONCoding.decode(SegmentMembershipChange.self, from: Data(payload.utf8))
            guard change.kind == .exited, change.segmentId == setUp.segment.id.lowercased, dueAt[change.profileId] != nil else { continue }
            exits[change.profileId] = Swift.min(exits[change.profileId] ?? .infinity, createdAt)
        }
        let lateness = exits.map { profile, at in at - dueAt[profile]! }.sorted()
        let measure = LatenessMeasure(
            setUp: setUp, p50: percentile(0.50, of: lateness), p99: percentile(0.99, of: lateness), max: lateness.last ?? 0,
            measured: lateness.count, missing: setUp.profiles - exits.count, early: lateness.count(where: { $0 < 0 }), overrun: overrun, usage: usage
        )
        progress(String(format: "  lateness p50 %.2f s, p99 %.2f s, max %.2f s; ", measure.p50, measure.p99, measure.max)
            + "\(measure.missing) never left, \(measure.early) left early")
        return measure
    }
}
