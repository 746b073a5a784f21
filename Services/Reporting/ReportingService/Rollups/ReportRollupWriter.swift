import Foundation
import KinshipCore
import KinshipOutbox
import Logging
import PostgresNIO

/// Keeps `report_events`, the reports' narrow copy of the events (migration 0017), in step with `events` and
/// `event_profiles`, and the data map's hourly sums of the keys the events carry (`report_data_keys`). Every write is an upsert from those tables as they are when it runs, so writing an event
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
            WITH added AS (
                INSERT INTO report_events
                SELECT v.*
                FROM (SELECT DISTINCT r, m FROM unnest(\(events.map(\.receivedAt))::timestamptz[], \(events.map(\.messageId))::text[]) AS u (r, m)) AS n
                JOIN report_event_rows v ON v.workspace_id = \(workspaceID) AND v.received_at = n.r AND v.message_id = n.m
                ORDER BY n.r, n.m
                \(unescaped: Self.keepingProfiles)
            )
            \(unescaped: Self.addingDataKeys)
            """,
            logger: logger
        )
    }

    /// The upsert's conflict clause and what it returns: a row already there takes the event's profile when it
    /// has one now (and is left alone otherwise); `inserted` tells a new row from one found.
    private static let keepingProfiles = """
        ON CONFLICT (workspace_id, received_at, message_id) DO UPDATE
            SET profile_id = coalesce(excluded.profile_id, report_events.profile_id)
            WHERE report_events.profile_id IS DISTINCT FROM coalesce(excluded.profile_id, report_events.profile_id)
        RETURNING workspace_id, received_at, message_id, xmax = 0 AS inserted
        """

    /// Adds the keys of the events the `added` upsert inserted (not those it found: an event counts once) to the
    /// data map's hourly sums (`report_data_keys`, migration 0020), in key order, so that two batches adding to
    /// the same sums never wait on each other in a cycle.
    private static let addingDataKeys = """
        INSERT INTO report_data_keys AS k
        SELECT f.workspace_id, date_bin('1 hour', f.event_time, '2000-01-01T00:00:00Z'), f.place, f.key, f.kind_of_event,
               count(*), count(*) FILTER (WHERE f.sealed), count(*) FILTER (WHERE f.looks_personal), min(f.event_time), max(f.event_time)
        FROM added a
        JOIN report_data_key_rows f ON f.workspace_id = a.workspace_id AND f.received_at = a.received_at AND f.message_id = a.message_id
        WHERE a.inserted
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (workspace_id, hour, place, key, kind_of_event) DO UPDATE SET
            value_count = k.value_count + excluded.value_count, sealed_count = k.sealed_count + excluded.sealed_count,
            looks_personal_count = k.looks_personal_count + excluded.looks_personal_count,
            first_seen = least(k.first_seen, excluded.first_seen), last_seen = greatest(k.last_seen, excluded.last_seen)
        """

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
                \(unescaped: Self.keepingProfiles)
            ), keys AS (
                \(unescaped: Self.addingDataKeys)
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
