import Foundation
import KinshipCore
import Logging
import PostgresNIO

/// A segment's current members, from `memberships` (segmentation writes it; reporting only reads).
enum SegmentMembers {
    /// Members after `cursor` (a profile id), by profile id.
    static func page(of segment: UUID, in workspaceID: UUID, limit: Int, after cursor: UUID?, on connection: PostgresConnection, logger: Logger) async throws -> Page<SegmentMember> {
        let rows = try await connection.query(
            """
            SELECT profile_id, entered_at, segment_version FROM memberships
            WHERE workspace_id = \(workspaceID) AND segment_id = \(segment) AND exited_at IS NULL
              AND profile_id > coalesce(\(cursor), '00000000-0000-0000-0000-000000000000'::uuid)
            ORDER BY profile_id LIMIT \(limit + 1)
            """,
            logger: logger
        ).decode((UUID, Date, Int).self).collectAll()
        let items = rows.prefix(limit).map { SegmentMember(profileId: $0.0.lowercased, enteredAt: $0.1, segmentVersion: $0.2) }
        return Page(items: Array(items), nextCursor: rows.count > limit ? items.last?.profileId : nil)
    }

    /// Every current member whose consent in force does not refuse `category`, by profile id.
    static func all(of segment: UUID, in workspaceID: UUID, excludingRefusalsOf category: String, on connection: PostgresConnection, logger: Logger) async throws -> [SegmentMember] {
        try await connection.query(
            """
            SELECT m.profile_id, m.entered_at, m.segment_version FROM memberships m
            LEFT JOIN segment_profiles sp ON sp.workspace_id = m.workspace_id AND sp.profile_id = m.profile_id
            WHERE m.workspace_id = \(workspaceID) AND m.segment_id = \(segment) AND m.exited_at IS NULL
              AND (sp.consent -> \(category)) IS DISTINCT FROM 'false'::jsonb
            ORDER BY m.profile_id
            """,
            logger: logger
        ).decode((UUID, Date, Int).self).collectAll().map { SegmentMember(profileId: $0.0.lowercased, enteredAt: $0.1, segmentVersion: $0.2) }
    }

    /// Every current member, by profile id.
    static func all(of segment: UUID, in workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> [SegmentMember] {
        try await connection.query(
            """
            SELECT profile_id, entered_at, segment_version FROM memberships
            WHERE workspace_id = \(workspaceID) AND segment_id = \(segment) AND exited_at IS NULL ORDER BY profile_id
            """,
            logger: logger
        ).decode((UUID, Date, Int).self).collectAll().map { SegmentMember(profileId: $0.0.lowercased, enteredAt: $0.1, segmentVersion: $0.2) }
    }
}
