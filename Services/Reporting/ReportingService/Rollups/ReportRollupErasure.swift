import Foundation
import KinshipCore
import KinshipDatabase
import Logging
import PostgresNIO

/// Reporting's step of an erasure: the rollup rows of the person's events go, so reports stop counting
/// them (identity deletes the events themselves).
enum ReportRollupErasure {
    /// Takes the workspace's rollup lock alone, as re-pointing does: a roll in flight (the consumers' batches,
    /// a first-start backfill) upserts rows in an order of its own, and deleting beside it deadlocked.
    static func erase(_ profiles: [UUID], in workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> [String: Int] {
        try await ReportRollupWriter.lockExclusive(workspaceID, on: connection, logger: logger)
        let removed = try await connection.query(
            "DELETE FROM report_events WHERE workspace_id = \(workspaceID) AND profile_id = ANY(\(profiles)) RETURNING 1", logger: logger
        ).collectAll().count
        return ["report_events": removed]
    }
}
