import Foundation
import Logging
import PostgresNIO

/// How many events happened per interval, all of them or one event's, optionally split by a property
/// (docs/reporting.md).
public enum TrendsReport {
    /// The breakdown values shown apart, the most frequent in the period; the rest are summed as `(other)`,
    /// so a property with a value per event (an order id) still gives a chart.
    public static let maximumSeries = 20

    /// The end of the query, after `intervals` and `counted` (`starts`, `value`): the counts per interval
    /// and value, the values beyond the most frequent summed as `(other)`.
    static let seriesOfCounted = """
        ranked AS (
            SELECT value, row_number() OVER (ORDER BY count(*) DESC, value COLLATE "C") AS rank FROM counted GROUP BY value
        ),
        shown AS (
            SELECT c.starts, CASE WHEN r.rank <= \(maximumSeries) THEN c.value ELSE '(other)' END AS value
            FROM counted c JOIN ranked r ON r.value = c.value
        )
        SELECT i.starts AT TIME ZONE 'UTC', s.value, count(s.value)
        FROM intervals i LEFT JOIN shown s ON s.starts = i.starts
        GROUP BY i.starts, s.value ORDER BY i.starts
        """

    /// - Parameters:
    ///   - event: a track event's name to count alone; nil counts every event.
    ///   - breakdownProperty: a property of the events to split the counts by.
    public static func run(
        _ period: ReportPeriod, interval: ReportInterval, event: String? = nil, breakdownProperty: String? = nil,
        workspaceID: UUID, on connection: PostgresConnection, logger: Logger
    ) async throws -> TrendsReportView {
        // Without a breakdown no property is read, and the rollup's narrow rows answer; a breakdown reads the
        // messages themselves.
        let query: PostgresQuery = if let breakdownProperty {
            """
            WITH intervals AS (\(intervalsOf: interval, over: period)),
            counted AS (
                SELECT date_trunc(\(interval.rawValue), e.event_time AT TIME ZONE 'UTC') AS starts,
                       \(unescaped: ReportSQL.displayText(of: "b.property_value")) AS value
                FROM events e
                CROSS JOIN LATERAL (SELECT e.message->'properties'->\(breakdownProperty) AS property_value) b
                WHERE e.workspace_id = \(workspaceID) AND e.event_time >= \(period.from) AND e.event_time < \(period.to)
                  AND (\(event)::text IS NULL OR (e.type = 'track' AND e.event = \(event)))
            ),
            \(unescaped: seriesOfCounted)
            """
        } else {
            // One series: counted per interval straight away, no ranking of values.
            """
            WITH intervals AS (\(intervalsOf: interval, over: period)),
            counted AS (
                SELECT date_trunc(\(interval.rawValue), e.event_time AT TIME ZONE 'UTC') AS starts, count(*) AS events
                FROM report_events e
                WHERE e.workspace_id = \(workspaceID) AND e.event_time >= \(period.from) AND e.event_time < \(period.to)
                  AND (\(event)::text IS NULL OR (e.type = 'track' AND e.event = \(event)))
                GROUP BY 1
            )
            SELECT i.starts AT TIME ZONE 'UTC', '(all)', coalesce(c.events, 0)
            FROM intervals i LEFT JOIN counted c ON c.starts = i.starts
            ORDER BY i.starts
            """
        }
        var starts: [Date] = []
        var counts: [String: [Date: Int]] = [:]
        for row in try await ReportQuery.rows(query, on: connection, logger: logger) {
            let (start, value, count) = try row.decode((Date, String?, Int).self)
            if starts.last != start { starts.append(start) }
            if let value { counts[value, default: [:]][start] = count }
        }
        if breakdownProperty == nil, counts.isEmpty { counts["(all)"] = [:] }  // a chart of zeros, not no chart
        let series = counts.map { value, perStart in
            TrendsReportView.Series(value: value, counts: starts.map { perStart[$0] ?? 0 })
        }.sorted(by: TrendsReportView.Series.chartOrder)
        return TrendsReportView(
            from: period.from, to: period.to, interval: interval, event: event, breakdownProperty: breakdownProperty,
            intervals: starts, series: series
        )
    }
}
