import Foundation
import Logging
import PostgresNIO

/// Net Promoter Score per interval from the `nps_score` of `Survey Responded` events (docs/reporting.md).
public enum NPSReport {
    public static func run(
        _ period: ReportPeriod, interval: ReportInterval, workspaceID: UUID, on connection: PostgresConnection, logger: Logger
    ) async throws -> NPSReportView {
        // Every response counts, as the standard NPS does: a person who answers twice is heard twice.
        // Categories as the `nps_category` trait reads a score: 9 and up, 7 and up, the rest from 0.
        let query: PostgresQuery = """
            WITH intervals AS (\(intervalsOf: interval, over: period)),
            responses AS (
                SELECT date_trunc(\(interval.rawValue), e.event_time AT TIME ZONE 'UTC') AS starts,
                       e.nps_score AS score
                FROM report_events e
                WHERE e.workspace_id = \(workspaceID) AND e.type = 'track' AND e.event = 'Survey Responded'
                  AND e.event_time >= \(period.from) AND e.event_time < \(period.to)
                  AND e.nps_score IS NOT NULL
            )
            SELECT i.starts AT TIME ZONE 'UTC',
                   count(r.score) FILTER (WHERE r.score >= 9),
                   count(r.score) FILTER (WHERE r.score >= 7 AND r.score < 9),
                   count(r.score) FILTER (WHERE r.score < 7)
            FROM intervals i
            LEFT JOIN responses r ON r.starts = i.starts AND r.score BETWEEN 0 AND 10
            GROUP BY i.starts ORDER BY i.starts
            """
        let rows = try await ReportQuery.rows(query, on: connection, logger: logger).map { try $0.decode((Date, Int, Int, Int).self) }
        let intervals = rows.map { NPSReportView.Tally(starts: $0.0, promoters: $0.1, passives: $0.2, detractors: $0.3) }
        return NPSReportView(
            from: period.from, to: period.to, interval: interval, intervals: intervals,
            total: NPSReportView.Tally(
                starts: period.from, promoters: intervals.map(\.promoters).reduce(0, +),
                passives: intervals.map(\.passives).reduce(0, +), detractors: intervals.map(\.detractors).reduce(0, +)
            )
        )
    }
}
