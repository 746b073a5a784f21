import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import Logging
import PostgresNIO
import ServiceLifecycle

/// Forgets message ids older than the dedup window, so the dedup table stays the window's size.
/// The window itself is exact without it (see `ClaimAndInsertEvents`).
struct MessageIDPruner: Service {
    let database: PostgresClient
    let logger: Logger
    let windowDays: Int
    var interval: Duration = .seconds(3600)

    func run() async throws {
        await runPeriodically(every: interval, logger: logger, failure: "message id pruning failed; will retry") {
            try await pruneOnce()
        }
    }

    @discardableResult
    func pruneOnce() async throws -> Int {
        let window = "\(windowDays) days"
        return try await database.query(
            "WITH gone AS (DELETE FROM event_message_ids WHERE received_at < now() - \(window)::interval RETURNING 1) SELECT count(*)::int FROM gone",
            logger: logger
        ).decode(Int.self).first(where: { _ in true }) ?? 0
    }
}
