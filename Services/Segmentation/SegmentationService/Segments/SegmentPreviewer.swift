import Foundation
import KinshipCore
import Logging
import PostgresNIO

/// A definition's size and a sample of its members now, from the same query a full recompute runs.
public enum SegmentPreviewer {
    /// Runs in the caller's transaction (`SET LOCAL` lasts until it ends).
    ///
    /// The members query runs once, materialised, for both the count and the sample. Postgres's JIT is off
    /// for it: the correlated event subqueries give plans costly enough to be compiled, and compiling took a
    /// large share of a preview that must answer while someone types.
    public static func preview(
        _ definition: SegmentDefinition, requiredConsent: String?, sampleSize: Int, in workspaceID: UUID, now: Date,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> SegmentPreview {
        try await connection.query("SET LOCAL jit = off", logger: logger)
        let members = SegmentSQL.members(of: definition, workspaceID: workspaceID, requiredConsent: requiredConsent, now: now)
        // The limit is a checked integer (0...100), not text from the request.
        let previewing = PostgresQuery(
            unsafeSQL: """
                WITH m AS MATERIALIZED (\(members.sql))
                SELECT (SELECT count(*)::int FROM m),
                       array(SELECT profile_id FROM m ORDER BY profile_id LIMIT \(max(0, min(100, sampleSize))))
                """,
            binds: members.binds
        )
        for try await (size, sample) in try await connection.query(previewing, logger: logger).decode((Int, [UUID]).self) {
            return SegmentPreview(size: size, sample: sample.map(\.lowercased), evaluatedAt: now)
        }
        return SegmentPreview(size: 0, sample: [], evaluatedAt: now)
    }
}
