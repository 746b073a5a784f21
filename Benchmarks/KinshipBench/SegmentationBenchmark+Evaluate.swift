import Foundation
import KinshipCore
import KinshipDatabase
import PostgresNIO
import SegmentationService

/// One worker's evaluation of every profile: what it read and how long it took.
struct EvaluationMeasure: Sendable {
    let profiles: Int
    let events: Int
    let duration: Duration

    var eventsPerSecond: Double { perSecond(events, duration) }
    var profilesPerSecond: Double { perSecond(profiles, duration) }
}

/// The evaluator's reading alone: its events query for the same batches, rows decoded, nothing opened or folded.
struct ReadingMeasure: Sendable {
    let events: Int
    let duration: Duration

    var eventsPerSecond: Double { perSecond(events, duration) }
}

extension SegmentationBenchmark {
    /// Evaluates every profile with `ProfileEvaluator.evaluate`, `evaluationBatch` profiles per transaction
    /// on one connection, as one worker does; no segment exists yet, so this is computed traits and consent.
    func measureEvaluation(
        _ workspace: DemoShopWorkspace, _ directory: WorkspaceKeyCache, now: Date, _ database: PostgresClient
    ) async throws -> EvaluationMeasure {
        let w = workspace.workspaceID
        let ids = try await profileIDs(w, database)
        let events = try await database.query("SELECT count(*)::int FROM event_profiles WHERE workspace_id = \(w)", logger: logger)
            .decode(Int.self).collectAll().first ?? 0
        let size = configuration.evaluationBatch
        progress("evaluate: \(ids.count) profiles with \(events) events, \(size) per transaction, one at a time")
        let evaluator = ProfileEvaluator(directory: directory, logger: logger)
        let logger = self.logger
        var evaluated = 0
        var reported = 0
        let start = ContinuousClock.now
        // One transaction at a time: the pool lends one connection after another, as one worker's does.
        for batch in stride(from: 0, to: ids.count, by: size) {
            let named = Set(ids[batch..<min(batch + size, ids.count)])
            evaluated += try await database.transaction(logger: logger) { connection in
                try await evaluator.evaluate(named, in: w, now: now, on: connection).evaluated
            }
            if evaluated * 10 / max(ids.count, 1) > reported {
                reported = evaluated * 10 / ids.count
                progress("  \(evaluated) profiles evaluated, \(Int(perSecond(evaluated, .now - start))) profiles/s")
            }
        }
        let measure = EvaluationMeasure(profiles: evaluated, events: events, duration: .now - start)
        guard evaluated == ids.count else {
            throw BenchFailure("the evaluator evaluated \(evaluated) of \(ids.count) profiles")
        }
        progress(String(format: "  %.0f events/s, %.0f profiles/s", measure.eventsPerSecond, measure.profilesPerSecond))
        return measure
    }

    /// Runs the evaluator's events query (`ProfileEventsQuery`) for the same batches on one connection and
    /// decodes its rows, nothing more: the share of an evaluation that is reading.
    func measureReading(_ workspace: DemoShopWorkspace, _ database: PostgresClient) async throws -> ReadingMeasure {
        let w = workspace.workspaceID
        let ids = try await profileIDs(w, database)
        let size = configuration.evaluationBatch
        progress("reading alone: the evaluator's events query for the same batches")
        let logger = self.logger
        let start = ContinuousClock.now
        let events = try await database.withConnection { connection in
            var events = 0
            for batch in stride(from: 0, to: ids.count, by: size) {
                let named = Array(ids[batch..<min(batch + size, ids.count)])
                for try await (_, messageId, _, _, _, _, text) in try await connection.query(
                    ProfileEventsQuery.query(named, in: w), logger: logger
                ).decode(ProfileEventsQuery.Row.self) {
                    if !messageId.isEmpty && !text.isEmpty { events += 1 }
                }
            }
            return events
        }
        let measure = ReadingMeasure(events: events, duration: .now - start)
        progress(String(format: "  %.0f events/s", measure.eventsPerSecond))
        return measure
    }

    func profileIDs(_ workspaceID: UUID, _ database: PostgresClient) async throws -> [UUID] {
        try await database.query(
            "SELECT id FROM profiles WHERE workspace_id = \(workspaceID) AND merged_into IS NULL ORDER BY id", logger: logger
        ).decode(UUID.self).collectAll()
    }
}
