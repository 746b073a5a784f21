import Foundation
import Logging
import PostgresNIO

/// Cohorts of the profiles that started in each interval of the period, and how many of them came back in
/// each interval after (docs/reporting.md). Starting is being first seen, or first doing `cohortEvent`;
/// coming back is being seen, or doing `returnEvent`.
public enum RetentionReport {
    public static func run(
        _ period: ReportPeriod, interval: ReportInterval, cohortEvent: String? = nil, returnEvent: String? = nil, workspaceID: UUID,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> RetentionReportView {
        let starts = try await connection.query(
            "SELECT starts AT TIME ZONE 'UTC' FROM (\(intervalsOf: interval, over: period)) AS intervals ORDER BY starts", logger: logger
        ).collect().map { try $0.decode(Date.self) }
        // Seen as `last_seen_at` reads it: any event but `Email Delivered` and `Email Bounced`, which are the
        // mail service's doing, not the person's. A named event narrows starting or returning to its tracks.
        // A profile's cohort is the interval of the first time it ever started; profiles that started before
        // the period are in no cohort.
        let query: PostgresQuery = """
            WITH seen AS (
                SELECT e.profile_id, e.event_time, date_trunc(\(interval.rawValue), e.event_time AT TIME ZONE 'UTC') AS starts,
                       CASE WHEN \(cohortEvent)::text IS NULL THEN true ELSE e.type = 'track' AND e.event = \(cohortEvent) END AS is_start,
                       CASE WHEN \(returnEvent)::text IS NULL THEN true ELSE e.type = 'track' AND e.event = \(returnEvent) END AS is_return
                FROM report_events e
                WHERE e.workspace_id = \(workspaceID) AND e.profile_id IS NOT NULL AND e.event_time < \(period.to)
                  AND NOT (e.type = 'track' AND e.event IN ('Email Delivered', 'Email Bounced'))
            ),
            -- One row per profile and interval it was seen in: the joins below then read profile-intervals,
            -- not events.
            activity AS (
                SELECT profile_id, starts, min(event_time) FILTER (WHERE is_start) AS first_start, bool_or(is_return) AS returned
                FROM seen GROUP BY profile_id, starts
            ),
            cohorts AS (
                SELECT profile_id, min(starts) FILTER (WHERE first_start IS NOT NULL) AS cohort FROM activity
                GROUP BY profile_id HAVING min(first_start) >= \(period.from)
            )
            SELECT c.cohort AT TIME ZONE 'UTC', NULL::timestamp, count(*) FROM cohorts c GROUP BY c.cohort
            UNION ALL
            SELECT c.cohort AT TIME ZONE 'UTC', a.starts AT TIME ZONE 'UTC', count(*)
            FROM activity a JOIN cohorts c ON c.profile_id = a.profile_id
            WHERE a.returned AND a.starts >= c.cohort
            GROUP BY c.cohort, a.starts
            """
        var sizes: [Date: Int] = [:]
        var counts: [Date: [Date: Int]] = [:]
        for row in try await ReportQuery.rows(query, on: connection, logger: logger) {
            let (cohort, start, profiles) = try row.decode((Date, Date?, Int).self)
            if let start { counts[cohort, default: [:]][start] = profiles } else { sizes[cohort] = profiles }
        }
        let cohorts = starts.indices.map { index in
            RetentionReportView.Cohort(
                starts: starts[index], profiles: sizes[starts[index]] ?? 0, returning: starts[index...].map { counts[starts[index]]?[$0] ?? 0 }
            )
        }
        return RetentionReportView(from: period.from, to: period.to, interval: interval, cohorts: cohorts)
    }
}
