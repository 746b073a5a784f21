import Foundation
import Logging
import PostgresNIO

/// Visitors, orders and revenue per acquisition channel (`source/medium` of the UTM campaign)
/// (docs/reporting.md).
public enum ChannelsReport {
    /// A session ends after this long without a view, as the computed traits' sessions do.
    static let sessionGap = "30 minutes"
    /// How far back an order looks for the campaign that brought it, as `top_order_channel` does.
    static let touchHorizon = "30 days"

    public static func run(
        _ period: ReportPeriod, workspaceID: UUID, on connection: PostgresConnection, logger: Logger
    ) async throws -> ChannelsReportView {
        // Sessions are cut per profile, across its devices: `anonymousId` is sealed at rest (each ciphertext
        // differs), so the database cannot tell one device from another. The views are read twice, for the
        // period's sessions and for the orders' touches, each from `report_events_views` in the order it
        // needs (migration 0021), rather than once into a CTE that would then be sorted.
        let query: PostgresQuery = """
            WITH period_views AS (
                SELECT profile_id, event_time, message_id, campaign,
                       CASE WHEN event_time - lag(event_time) OVER profile_views < interval '\(unescaped: sessionGap)' THEN 0 ELSE 1 END AS opens
                FROM report_events
                WHERE workspace_id = \(workspaceID) AND profile_id IS NOT NULL AND type IN ('page', 'screen')
                  AND event_time >= \(period.from) AND event_time < \(period.to)
                WINDOW profile_views AS (PARTITION BY profile_id ORDER BY event_time, message_id COLLATE "C")
            ),
            numbered AS (
                SELECT *, sum(opens) OVER (PARTITION BY profile_id ORDER BY event_time, message_id COLLATE "C" ROWS UNBOUNDED PRECEDING) AS session
                FROM period_views
            ),
            sessions AS (
                SELECT profile_id,
                       coalesce((array_agg(campaign ORDER BY event_time, message_id COLLATE "C") FILTER (WHERE campaign IS NOT NULL))[1], '(direct)') AS channel
                FROM numbered GROUP BY profile_id, session
            ),
            orders AS (\(standingOrdersOf: workspaceID, completedIn: period)),
            -- Each profile's campaign views, newest first, in one array: an order searches only its own
            -- profile's (a lookup per order into every view grew with orders times views).
            touches AS (
                SELECT profile_id,
                       array_agg(event_time ORDER BY event_time DESC, campaign COLLATE "C") AS times,
                       array_agg(campaign ORDER BY event_time DESC, campaign COLLATE "C") AS campaigns
                FROM report_events
                WHERE workspace_id = \(workspaceID) AND profile_id IS NOT NULL AND type IN ('page', 'screen') AND campaign IS NOT NULL
                  AND event_time >= \(period.from) - interval '\(unescaped: touchHorizon)' AND event_time < \(period.to)
                GROUP BY profile_id
            ),
            attributed AS (
                SELECT o.profile_id, o.net_satang,
                       coalesce((SELECT t.campaign FROM unnest(tc.times, tc.campaigns) WITH ORDINALITY AS t(event_time, campaign, n)
                                 WHERE t.event_time <= o.completed_at AND t.event_time > o.completed_at - interval '\(unescaped: touchHorizon)'
                                 ORDER BY t.n LIMIT 1), '(direct)') AS channel
                FROM orders o LEFT JOIN touches tc ON tc.profile_id = o.profile_id
            ),
            per_channel AS (
                SELECT channel, count(DISTINCT profile_id) AS visitors, count(*) AS sessions, 0 AS orders, 0 AS revenue, 0 AS buyers
                FROM sessions GROUP BY channel
                UNION ALL
                SELECT channel, 0, 0, count(*), sum(net_satang), count(DISTINCT profile_id) FROM attributed GROUP BY channel
            )
            SELECT channel, sum(visitors)::bigint, sum(sessions)::bigint, sum(orders)::bigint, sum(revenue)::bigint, sum(buyers)::bigint
            FROM per_channel GROUP BY channel
            ORDER BY sum(visitors) DESC, channel COLLATE "C"
            """
        let channels = try await ReportQuery.rows(query, on: connection, logger: logger).map { try $0.decode((String, Int, Int, Int, Int, Int).self) }
            .map { row in
                ChannelsReportView.Channel(
                    channel: row.0, visitors: row.1, sessions: row.2, orders: row.3, revenue: ReportMath.baht(row.4), buyers: row.5
                )
            }
        return ChannelsReportView(from: period.from, to: period.to, channels: channels)
    }
}
