import Foundation
import KinshipCore
import Logging
import PostgresNIO

/// A segment's size over time from `memberships`: per UTC day, the entries and exits that day and the
/// size at its end. One pass over the segment's memberships, then a running sum.
enum SegmentHistory {
    static func days(of segment: UUID, in workspaceID: UUID, from: Date, to: Date, on connection: PostgresConnection, logger: Logger) async throws -> [SegmentDay] {
        try await connection.query(
            """
            WITH changes AS (
                SELECT (entered_at AT TIME ZONE 'UTC')::date AS day, 1 AS entered, 0 AS exited FROM memberships
                WHERE workspace_id = \(workspaceID) AND segment_id = \(segment) AND entered_at < \(to)
                UNION ALL
                SELECT (exited_at AT TIME ZONE 'UTC')::date, 0, 1 FROM memberships
                WHERE workspace_id = \(workspaceID) AND segment_id = \(segment) AND exited_at < \(to)
            ), per_day AS (
                SELECT day, sum(entered)::int AS entered, sum(exited)::int AS exited FROM changes GROUP BY day
            ), days AS (
                SELECT d::date AS day FROM generate_series((\(from) AT TIME ZONE 'UTC')::date,
                                                           ((\(to) - interval '1 microsecond') AT TIME ZONE 'UTC')::date, interval '1 day') AS d
            )
            SELECT to_char(d.day, 'YYYY-MM-DD'), coalesce(p.entered, 0), coalesce(p.exited, 0),
                   (SELECT coalesce(sum(q.entered - q.exited), 0)::int FROM per_day q WHERE q.day <= d.day)
            FROM days d LEFT JOIN per_day p ON p.day = d.day ORDER BY d.day
            """,
            logger: logger
        ).decode((String, Int, Int, Int).self).collectAll().map { SegmentDay(day: $0.0, entered: $0.1, exited: $0.2, size: $0.3) }
    }
}
