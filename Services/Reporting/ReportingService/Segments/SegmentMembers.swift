import Foundation
import KinshipCore
import Logging
import PostgresNIO

/// A segment's current members, from `memberships` (segmentation writes it; reporting only reads), with
/// their consent in force from `segment_profiles.consent`.
enum SegmentMembers {
    /// The consent category whose refusers every file of members leaves out: a file is for acting on the
    /// people in it (an ad platform's audience, a mailing), which is marketing.
    static let exportConsent = "marketing"

    /// Members after `cursor` (a profile id), by profile id, each saying whether they refuse marketing.
    static func page(of segment: UUID, in workspaceID: UUID, limit: Int, after cursor: UUID?, on connection: PostgresConnection, logger: Logger) async throws -> Page<SegmentMember> {
        let rows = try await connection.query(
            """
            SELECT m.profile_id, m.entered_at, m.segment_version, coalesce(sp.consent -> \(exportConsent) = 'false'::jsonb, false)
            FROM memberships m
            LEFT JOIN segment_profiles sp ON sp.workspace_id = m.workspace_id AND sp.profile_id = m.profile_id
            WHERE m.workspace_id = \(workspaceID) AND m.segment_id = \(segment) AND m.exited_at IS NULL
              AND m.profile_id > coalesce(\(cursor), '00000000-0000-0000-0000-000000000000'::uuid)
            ORDER BY m.profile_id LIMIT \(limit + 1)
            """,
            logger: logger
        ).decode((UUID, Date, Int, Bool).self).collectAll()
        let items = rows.prefix(limit).map { SegmentMember(profileId: $0.0.lowercased, enteredAt: $0.1, segmentVersion: $0.2, marketingRefused: $0.3) }
        return Page(items: Array(items), nextCursor: rows.count > limit ? items.last?.profileId : nil)
    }

    /// Every current member whose consent in force refuses none of `categories`, by profile id: who a file of
    /// members may hold. A member segmentation holds no consent for refuses nothing.
    static func exportable(
        of segment: UUID, in workspaceID: UUID, leavingOutRefusalsOf categories: [String], on connection: PostgresConnection, logger: Logger
    ) async throws -> [SegmentMember] {
        try await connection.query(
            """
            SELECT m.profile_id, m.entered_at, m.segment_version FROM memberships m
            LEFT JOIN segment_profiles sp ON sp.workspace_id = m.workspace_id AND sp.profile_id = m.profile_id
            WHERE m.workspace_id = \(workspaceID) AND m.segment_id = \(segment) AND m.exited_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM unnest(\(categories)::text[]) AS c (category) WHERE sp.consent -> c.category = 'false'::jsonb)
            ORDER BY m.profile_id
            """,
            logger: logger
        ).decode((UUID, Date, Int).self).collectAll().map {
            SegmentMember(profileId: $0.0.lowercased, enteredAt: $0.1, segmentVersion: $0.2, marketingRefused: false)
        }
    }

    /// What a file of `segment`'s members leaves out: refusers of marketing, and of the segment's required
    /// category (not members once segmentation evaluates them; left out too should a refusal be newer
    /// than that evaluation).
    static func exportRefusals(of segment: SegmentView) -> [String] {
        var categories = [exportConsent]
        if let required = segment.requiredConsent, required != exportConsent { categories.append(required) }
        return categories
    }

    /// The file of members (`format=csv`): profile id, entry time and the segment version that let them in.
    static func table(_ members: [SegmentMember]) -> ReportTable {
        ReportTable(columns: ["profile_id", "entered_at", "segment_version"], rows: members.map {
            [$0.profileId, Timestamp.format($0.enteredAt), String($0.segmentVersion)]
        })
    }
}
