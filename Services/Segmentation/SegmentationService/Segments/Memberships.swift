import Foundation
import KinshipCore
import KinshipOutbox
import Logging
import Metrics
import PostgresNIO

/// `memberships`: who is in which segment since when, kept as history (an exit closes the row; a later
/// entry opens a new one). Every entry and exit writes `segment.entered` / `segment.exited` to the outbox
/// in the caller's transaction.
enum Memberships {
    struct Entry: Sendable, Hashable {
        let segmentID: UUID
        let version: Int
        let profileID: UUID
    }

    struct Member: Sendable, Hashable {
        let segmentID: UUID
        let profileID: UUID
    }

    /// The open memberships of these profiles.
    static func current(of profiles: [UUID], in workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Set<Member> {
        guard !profiles.isEmpty else { return [] }
        var members: Set<Member> = []
        for try await (segment, profile) in try await connection.query(
            """
            SELECT segment_id, profile_id FROM memberships
            WHERE workspace_id = \(workspaceID) AND profile_id = ANY(\(profiles)::uuid[]) AND exited_at IS NULL
            """,
            logger: logger
        ).decode((UUID, UUID).self) {
            members.insert(Member(segmentID: segment, profileID: profile))
        }
        return members
    }

    /// A segment's open memberships: its members now.
    static func members(of segment: UUID, in workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Set<UUID> {
        Set(try await connection.query(
            """
            SELECT profile_id FROM memberships WHERE workspace_id = \(workspaceID) AND segment_id = \(segment) AND exited_at IS NULL
            """,
            logger: logger
        ).decode(UUID.self).collectAll())
    }

    /// Opens the entries and closes the exits at `at`; what another transaction did already is skipped.
    /// Returns how many entered and exited.
    @discardableResult
    static func apply(
        entries: [Entry], exits: [Member], at: Date, in workspaceID: UUID, on connection: PostgresConnection, logger: Logger
    ) async throws -> (entered: Int, exited: Int) {
        var changes: [SegmentMembershipChange] = []
        let time = Timestamp.format(at)
        if !entries.isEmpty {
            for try await (segment, profile, version) in try await connection.query(
                """
                INSERT INTO memberships (workspace_id, segment_id, profile_id, entered_at, segment_version)
                SELECT \(workspaceID), s, p, \(at), v
                FROM unnest(\(entries.map(\.segmentID))::uuid[], \(entries.map(\.profileID))::uuid[], \(entries.map(\.version))::int[]) AS n(s, p, v)
                ON CONFLICT (workspace_id, segment_id, profile_id) WHERE exited_at IS NULL DO NOTHING
                RETURNING segment_id, profile_id, segment_version
                """,
                logger: logger
            ).decode((UUID, UUID, Int).self) {
                changes.append(SegmentMembershipChange(kind: .entered, segmentId: segment.lowercased, segmentVersion: version, profileId: profile.lowercased, at: time))
            }
        }
        let entered = changes.count
        if !exits.isEmpty {
            for try await (segment, profile, version) in try await connection.query(
                """
                UPDATE memberships m SET exited_at = \(at)
                FROM unnest(\(exits.map(\.segmentID))::uuid[], \(exits.map(\.profileID))::uuid[]) AS n(s, p)
                WHERE m.workspace_id = \(workspaceID) AND m.segment_id = n.s AND m.profile_id = n.p AND m.exited_at IS NULL
                RETURNING m.segment_id, m.profile_id, m.segment_version
                """,
                logger: logger
            ).decode((UUID, UUID, Int).self) {
                changes.append(SegmentMembershipChange(kind: .exited, segmentId: segment.lowercased, segmentVersion: version, profileId: profile.lowercased, at: time))
            }
        }
        let drafts = try changes.map { try OutboxDraft(topic: .segments, workspaceID: workspaceID, key: $0.profileId, payload: $0) }
        try await Outbox.append(drafts, on: connection, logger: logger)
        Counter(label: "kinship_segmentation_entries_total").increment(by: entered)
        Counter(label: "kinship_segmentation_exits_total").increment(by: changes.count - entered)
        return (entered, changes.count - entered)
    }
}
