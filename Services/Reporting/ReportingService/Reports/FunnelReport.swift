import Foundation
import KinshipCore
import Logging
import PostgresNIO

/// How many profiles went through a sequence of events in order, step by step (docs/reporting.md).
public enum FunnelReport {
    /// More steps than this make a query no one reads the answer of; the bound keeps the SQL small.
    public static let maximumSteps = 10
    /// The breakdown values shown apart, the most entered; the rest are summed as `(other)`, as trends does,
    /// so a property with a value per event (an order id) gives a readable answer, not one group per event.
    public static let maximumGroups = 20

    /// - Parameters:
    ///   - steps: event names, in the order the profile must do them.
    ///   - windowSeconds: how long after the first step the last may come.
    ///   - breakdownProperty: a property of the first step's event to split the counts by.
    public static func run(
        _ period: ReportPeriod, steps: [String], windowSeconds: Int, breakdownProperty: String? = nil,
        workspaceID: UUID, on connection: PostgresConnection, logger: Logger
    ) async throws -> FunnelReportView {
        guard (1...maximumSteps).contains(steps.count) else {
            throw KinshipError.badRequest(.invalidField, "steps must name 1 to \(maximumSteps) events")
        }
        guard windowSeconds > 0 else { throw KinshipError.badRequest(.invalidField, "window must be a positive number of seconds") }
        let rows = try await ReportQuery.rows(
            query(period, steps: steps, windowSeconds: windowSeconds, breakdownProperty: breakdownProperty, workspaceID: workspaceID),
            on: connection, logger: logger
        ).map { try $0.decode((String?, [Int]).self) }

        var totals = Array(repeating: 0, count: steps.count)
        for (_, counts) in rows { for index in counts.indices { totals[index] += counts[index] } }
        return FunnelReportView(
            from: period.from, to: period.to, windowSeconds: windowSeconds, breakdownProperty: breakdownProperty,
            steps: FunnelReportView.Step.list(steps, counts: totals),
            breakdown: breakdownProperty == nil ? [] : grouped(rows).map { value, counts in
                FunnelReportView.Group(value: value, steps: FunnelReportView.Step.list(steps, counts: counts))
            }
        )
    }

    /// The query's groups (the most entered first) as shown: the first `maximumGroups` by their value, the
    /// rest summed under `(other)`, last.
    static func grouped(_ rows: [(String?, [Int])]) -> [(String, [Int])] {
        var shown = rows.prefix(maximumGroups).map { ($0.0 ?? "(none)", $0.1) }
        let rest = rows.dropFirst(maximumGroups)
        guard let first = rest.first else { return shown }
        var other = Array(repeating: 0, count: first.1.count)
        for (_, counts) in rest { for index in counts.indices { other[index] += counts[index] } }
        shown.append(("(other)", other))
        return shown
    }

    /// Per breakdown value (NULL without a breakdown), the profiles that reached each step. Each profile
    /// enters at its first event of the first step in the period; each later step is the earliest event of
    /// that name strictly after the step before, no later than the entry plus the window (which may run past
    /// the period's end). The query has one part per step; the names and every value are bound.
    ///
    /// Each profile's step events are first gathered into one array per step (one pass, grouped by profile);
    /// a later step then searches only its own profile's array. Looking each step up in the set of all step
    /// events instead grew with profiles times events: minutes at 10,000 customers.
    static func query(
        _ period: ReportPeriod, steps: [String], windowSeconds: Int, breakdownProperty: String?, workspaceID: UUID
    ) -> PostgresQuery {
        let window = Double(windowSeconds)
        let breakdown = breakdownProperty == nil ? "NULL::text" : ReportSQL.displayText(of: "b.property_value")
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 2048, interpolationCount: 8 + 3 * steps.count)
        if breakdownProperty == nil {
            // Without a breakdown no property is read: the rollup's narrow rows answer.
            sql.appendLiteral("""
                WITH step_events AS (
                    SELECT e.profile_id, e.event, e.event_time, e.message_id, NULL::text AS breakdown
                    FROM report_events e
                    WHERE e.profile_id IS NOT NULL AND e.workspace_id = 
                """)
        } else {
            sql.appendLiteral("""
                WITH step_events AS (
                    SELECT ep.profile_id, e.event, e.event_time, e.message_id, \(breakdown) AS breakdown
                    FROM events e
                    JOIN event_profiles ep
                        ON ep.workspace_id = e.workspace_id AND ep.received_at = e.received_at AND ep.message_id = e.message_id
                    CROSS JOIN LATERAL (SELECT e.message->'properties'->
                """)
            sql.appendInterpolation(breakdownProperty ?? "")
            sql.appendLiteral(" AS property_value) b WHERE e.workspace_id = ")
        }
        sql.appendInterpolation(workspaceID)
        sql.appendLiteral(" AND e.type = 'track' AND e.event = ANY(")
        sql.appendInterpolation(steps)
        sql.appendLiteral("::text[]) AND e.event_time >= ")
        sql.appendInterpolation(period.from)
        sql.appendLiteral(" AND e.event_time < ")
        sql.appendInterpolation(period.to)
        sql.appendLiteral(" + ")
        sql.appendInterpolation(window)
        sql.appendLiteral("""
             * interval '1 second'
            ),
            per_profile AS (
                SELECT profile_id
            """)
        // The entry: the first event of the first step in the period, ties broken by message id.
        let entryFilter: (inout PostgresQuery.StringInterpolation) -> Void = { sql in
            sql.appendLiteral(" FILTER (WHERE event = ")
            sql.appendInterpolation(steps[0])
            sql.appendLiteral(" AND event_time < ")
            sql.appendInterpolation(period.to)
            sql.appendLiteral(")")
        }
        sql.appendLiteral(", (array_agg(event_time ORDER BY event_time, message_id COLLATE \"C\")")
        entryFilter(&sql)
        sql.appendLiteral(")[1] AS t_1, (array_agg(breakdown ORDER BY event_time, message_id COLLATE \"C\")")
        entryFilter(&sql)
        sql.appendLiteral(")[1] AS breakdown")
        for index in steps.indices.dropFirst() {
            sql.appendLiteral(", array_agg(event_time) FILTER (WHERE event = ")
            sql.appendInterpolation(steps[index])
            sql.appendLiteral(") AS times_\(index + 1)")
        }
        sql.appendLiteral("""

                FROM step_events GROUP BY profile_id
            ),
            step_1 AS (SELECT * FROM per_profile WHERE t_1 IS NOT NULL)
            """)
        for index in steps.indices.dropFirst() {
            let (step, before) = (index + 1, index)
            sql.appendLiteral("""
                , step_\(step) AS (
                    SELECT s.*, (
                        SELECT min(t) FROM unnest(s.times_\(step)) AS t
                        WHERE t > s.t_\(before) AND t <= s.t_1 + 
                """)
            sql.appendInterpolation(window)
            sql.appendLiteral("""
                 * interval '1 second'
                    ) AS t_\(step)
                    FROM step_\(before) s
                )
                """)
        }
        let counts = steps.indices.map { "count(t_\($0 + 1))" }.joined(separator: ", ")
        sql.appendLiteral("""

            SELECT breakdown, ARRAY[\(counts)]::bigint[] FROM step_\(steps.count)
            GROUP BY breakdown ORDER BY count(*) DESC, breakdown COLLATE "C"
            """)
        return PostgresQuery(stringInterpolation: sql)
    }
}
