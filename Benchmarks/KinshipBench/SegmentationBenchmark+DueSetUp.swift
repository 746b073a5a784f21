import Foundation
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import PostgresNIO
import SegmentationService

/// What the time-driven measure set up (not a measure): the probe segment, its members and when they fall due.
struct DueSetUp: Sendable {
    let segment: StoredSegment
    let profiles: Int
    /// Profiles of the same shape, stored and evaluated first to time the set-up on this machine; they fall
    /// due a day later, after the run.
    let calibrationProfiles: Int
    let firstDue: Date
    let lastDue: Date
    /// Calibration, storing and evaluating (the VACUUM and CHECKPOINT after them not included).
    let duration: Duration
}

extension SegmentationBenchmark {
    /// Creates the probe segment and stores `dueProfiles` profiles, each with one probe event (`DueProbe`),
    /// due at moments spread evenly over `dueSpreadSeconds`, then evaluates each once with
    /// `ProfileEvaluator` (so each enters the segment and its `segment_profiles.next_check` is stored). The
    /// due moments must all come after the set-up, and are fixed when the events are stored, so a
    /// calibration of the same shape first times storing and evaluating on this machine; the first due
    /// moment is then half as far again as the estimate, plus 20 s, away.
    func setUpDue(_ workspace: DemoShopWorkspace, _ directory: WorkspaceKeyCache, _ database: PostgresClient) async throws -> DueSetUp {
        let (count, w, logger) = (configuration.dueProfiles, workspace.workspaceID, self.logger)
        let calibration = min(count, max(500, count / 50))
        let segment = try await database.transaction(logger: logger) { connection in
            let segment = try await SegmentStore.create(DueProbe.segment, in: w, on: connection, logger: logger)
            _ = try await SegmentRecompute.run(segment, in: w, now: Date(), on: connection, logger: logger)
            return segment
        }
        progress("time-driven: set-up, first a calibration of \(calibration) profiles")
        let start = ContinuousClock.now
        let now = Date()
        try await storeAndEvaluateDueProfiles(DueProbe.calibrationPrefix, count: calibration, workspace, directory, database) { _ in
            now.addingTimeInterval(DueProbe.window)
        }
        let estimate = (ContinuousClock.now - start) / calibration * count
        let firstDue = Date().addingTimeInterval(estimate.inMilliseconds / 1000 * 1.5 + 20)
        let spread = TimeInterval(configuration.dueSpreadSeconds)
        progress(String(format: "  estimated %.0f s for %d profiles: their exits fall due from %.0f s from now, over %.0f s",
                        estimate.inMilliseconds / 1000, count, firstDue.timeIntervalSinceNow, spread))
        try await storeAndEvaluateDueProfiles(DueProbe.measuredPrefix, count: count, workspace, directory, database) { k in
            firstDue.addingTimeInterval(count > 1 ? spread * Double(k) / Double(count - 1) : 0)
        }
        let duration = ContinuousClock.now - start
        let members = try await openMembers(of: segment.id, w, database)
        guard members == count + calibration else {
            throw BenchFailure("the due-time set-up left \(members) members in the probe segment instead of \(count + calibration)")
        }
        progress(String(format: "  set up %d profiles in %.1f s (not measured); VACUUM (ANALYZE) and CHECKPOINT, not timed",
                        count + calibration, duration.inMilliseconds / 1000))
        try await database.query("VACUUM (ANALYZE) segment_profiles", logger: logger)
        await checkpoint(database)
        return DueSetUp(
            segment: segment, profiles: count, calibrationProfiles: calibration, firstDue: firstDue,
            lastDue: firstDue.addingTimeInterval(spread), duration: duration
        )
    }

    /// Stores `count` profiles (`profiles`, `events`, `event_profiles` by `COPY`, about 20,000 per
    /// transaction, as the shop is loaded) whose one probe event makes profile k fall due at `due(k)`, then
    /// evaluates them, `evaluationBatch` per transaction on two connections at once.
    private func storeAndEvaluateDueProfiles(
        _ prefix: String, count: Int, _ workspace: DemoShopWorkspace, _ directory: WorkspaceKeyCache, _ database: PostgresClient,
        due: (Int) -> Date
    ) async throws {
        let w = workspace.workspaceID
        var ids: [UUID] = []
        ids.reserveCapacity(count)
        var rows = DemoShopLoader.Rows()
        for k in 0..<count {
            let id = UUID()
            let event = DueProbe.event(messageId: prefix + String(k), due: due(k))
            let wrapped = try workspace.keyring.wrap(DataKey.generate())
            DemoShopLoader.writeRow([w.uuidString, id.uuidString, "\\x" + wrapped.hexString, "{}"], to: &rows.profiles)
            DemoShopLoader.writeRow([
                w.uuidString, event.receivedAt, event.messageId, workspace.sourceID.uuidString, event.type, event.event, event.eventTime,
                JSONValue.object(try workspace.sealing.sealMessage(event.message)).serialized(),
            ], to: &rows.events)
            DemoShopLoader.writeRow(
                [w.uuidString, event.receivedAt, event.messageId, id.uuidString, event.eventTime, event.type == "track" ? event.event : nil],
                to: &rows.eventProfiles
            )
            rows.count += 1
            ids.append(id)
            if rows.count >= 20_000 {
                try await DemoShopLoader.write(rows, database, logger: logger)
                rows = DemoShopLoader.Rows()
            }
        }
        try await DemoShopLoader.write(rows, database, logger: logger)
        progress("  \(count) profiles stored, evaluating them")
        let (logger, size) = (self.logger, configuration.evaluationBatch)
        let evaluator = ProfileEvaluator(directory: directory, logger: logger)
        let batches = stride(from: 0, to: ids.count, by: size).map { Set(ids[$0..<min($0 + size, ids.count)]) }
        // Set-up, not a measure: both cores.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<2 {
                group.addTask {
                    for index in stride(from: lane, to: batches.count, by: 2) {
                        _ = try await database.transaction(logger: logger) { connection in
                            try await evaluator.evaluate(batches[index], in: w, now: Date(), on: connection)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
