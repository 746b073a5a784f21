import Foundation
import KinshipCore
import KinshipOutbox
import Logging
import PostgresNIO

/// Keeps `report_events`, the reports' narrow copy of the events (migration 0017), in step with `events` and
/// `event_profiles`. Every write is an upsert from those tables as they are when it runs, so writing an event
/// twice, or in any order with its resolution, leaves the same row.
public struct ReportRollupWriter: Sendable {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// Upserts the rows of these stored events of one workspace (an event named twice is written once). A profile already
    /// in a row is kept when the event has none (yet) in `event_profiles`: an `events` message handled after the
    /// event's `resolutions` message must not undo it. Rows are written in key order, so the `events` and the
    /// `resolutions` consumers writing the same rows at once never wait on each other in a cycle.
    public func roll(_ events: [EventReference], in workspaceID: UUID, on connection: PostgresConnection) async throws {
        guard !events.isEmpty else { return }
        try await Self.lockShared(workspaceID, on: connection, logger: logger)
        try await connection.query(
            """
            INSERT INTO report_events
            SELECT v.*
            FROM (SELECT DISTINCT r, m FROM unnest(\(events.map(\.receivedAt))::timestamptz[], \(events.map(\.messageId))::text[]) AS u (r, m)) AS n
            JOIN report_event_rows v ON v.workspace_id = \(workspaceID) AND v.received_at = n.r AND v.message_id = n.m
            ORDER BY n.r, n.m
            ON CONFLICT (workspace_id, received_at, message_id) DO UPDATE
                SET profile_id = coalesce(excluded.profile_id, report_events.profile_id)
                WHERE report_events.profile_id IS DISTINCT FROM coalesce(excluded.profile_id, report_events.profile_id)
            """,
            logger: logger
        )
    }

    /// Re-reads the profile of every row of these profiles from `event_profiles`, after identity merged or split
    /// them: a merged-away profile's rows go to the profile it went into, a split's to the profiles made.
    public func repoint(_ profiles: Set<UUID>, in workspaceID: UUID, on connection: PostgresConnection) async throws {
        guard !profiles.isEmpty else { return }
        try await Self.lockExclusive(workspaceID, on: connection, logger: logger)
        try await connection.query(
            """
            UPDATE report_events r SET profile_id = ep.profile_id
            FROM event_profiles ep
            WHERE r.workspace_id = \(workspaceID) AND r.profile_id = ANY(\(Array(profiles))::uuid[])
              AND ep.workspace_id = r.workspace_id AND ep.received_at = r.received_at AND ep.message_id = r.message_id
              AND ep.profile_id <> r.profile_id
            """,
            logger: logger
        )
    }

    /// Rolls up every event of the workspace not rolled up yet (set-up of a workspace loaded without the outbox,
    /// and a repair): the same rows the worker writes.
    @discardableResult
    public func rollAll(in workspaceID: UUID, on connection: PostgresConnection) async throws -> Int {
        try await Self.lockShared(workspaceID, on: connection, logger: logger)
        let rows = try await connection.query(
            """
            WITH added AS (
                INSERT INTO report_events SELECT * FROM report_event_rows WHERE workspace_id = \(workspaceID)
                ON CONFLICT (workspace_id, received_at, message_id) DO UPDATE
                    SET profile_id = coalesce(excluded.profile_id, report_events.profile_id)
                    WHERE report_events.profile_id IS DISTINCT FROM coalesce(excluded.profile_id, report_events.profile_id)
                RETURNING 1
            )
            SELECT count(*) FROM added
            """,
            logger: logger
        ).collect()
        return try rows.first?.decode(Int.self) ?? 0
    }

    /// Rolling up reads `event_profiles` and re-pointing rewrites what it read, so the two must not overlap:
    /// a roll that read a profile before a merge committed and wrote after the re-pointing ran would keep the
    /// merged-away profile. Rolls share the workspace's lock; a re-pointing takes it alone, after the merge's
    /// commit, so every roll either finished before it or reads `event_profiles` after the merge.
    static func lockShared(_ workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock_shared(hashtextextended(\(lockName(workspaceID)), 0))", logger: logger)
    }

    static func lockExclusive(_ workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\(lockName(workspaceID)), 0))", logger: logger)
    }

    static func lockName(_ workspaceID: UUID) -> String { "report-rollups/\(workspaceID.lowercased)" }
}
