import Foundation
import KinshipCore
import KinshipDatabase
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle

/// Evaluates profiles again when time alone changes one of their answers (`segment_profiles.next_check`):
/// a window closing, a cart becoming abandoned, a day passing. It looks every `interval`, and takes
/// what is due in batches until nothing is, so an exit falls due and happens within about `interval`.
/// Public so that the segmentation benchmark runs the same loop in its own process.
public struct DueProfiles: Service {
    let evaluator: ProfileEvaluator
    let database: PostgresClient
    let logger: Logger
    var interval: Duration = .seconds(2)
    var batchSize = 200

    public init(evaluator: ProfileEvaluator, database: PostgresClient, logger: Logger, interval: Duration = .seconds(2)) {
        self.evaluator = evaluator
        self.database = database
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        await runPeriodically(every: interval, logger: logger, failure: "due-time evaluation failed") {
            while try await passOnce() == batchSize, !Task.isCancelled {}
        }
    }

    /// Evaluates one batch of due profiles; returns how many were due.
    @discardableResult
    func passOnce(now: Date = Date()) async throws -> Int {
        try await database.transaction(logger: logger) { connection in
            // No row locks: the evaluator takes each profile's advisory lock, and two passes evaluating one
            // profile give one answer.
            let due = try await connection.query(
                """
                SELECT workspace_id, profile_id, next_check FROM segment_profiles
                WHERE next_check <= \(now) ORDER BY next_check LIMIT \(batchSize)
                """,
                logger: logger
            ).decode((UUID, UUID, Date).self).collectAll()
            for (workspaceID, profiles) in Dictionary(grouping: due, by: \.0) {
                try await evaluator.evaluate(Set(profiles.map(\.1)), in: workspaceID, now: now, on: connection)
            }
            if let latest = due.map(\.2).min() {
                Timer(label: "kinship_segmentation_due_lateness_seconds").recordSeconds(now.timeIntervalSince(latest))
            }
            return due.count
        }
    }
}
