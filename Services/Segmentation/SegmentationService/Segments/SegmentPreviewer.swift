import Foundation
import KinshipCore
import Logging
import PostgresNIO

/// A definition's size and a sample of its members now, from the same query a full recompute runs.
public enum SegmentPreviewer {
    public static func preview(
        _ definition: SegmentDefinition, requiredConsent: String?, sampleSize: Int, in workspaceID: UUID, now: Date,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> SegmentPreview {
        let members = SegmentSQL.members(of: definition, workspaceID: workspaceID, requiredConsent: requiredConsent, now: now)
        let counting = PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM (\(members.sql)) AS m", binds: members.binds)
        let size = try await connection.query(counting, logger: logger).decode(Int.self).collectAll().first ?? 0
        // The limit is a checked integer (0...100), not text from the request.
        let sampling = PostgresQuery(
            unsafeSQL: "SELECT profile_id FROM (\(members.sql)) AS m ORDER BY profile_id LIMIT \(max(0, min(100, sampleSize)))", binds: members.binds
        )
        let sample = try await connection.query(sampling, logger: logger).decode(UUID.self).collectAll().map(\.lowercased)
        return SegmentPreview(size: size, sample: sample, evaluatedAt: now)
    }
}
