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

    /// The sessions' part and the orders' part one after another on one connection.
    public static func run(
        _ period: ReportPeriod, workspaceID: UUID, on connection: PostgresConnection, logger: Logger
    ) async throws -> ChannelsReportView {
        let visits = try await sessions(period, workspaceID: workspaceID, on: connection, logger: logger)
        let orders = try await orders(period, workspaceID: workspaceID, on: connection, logger: logger)
        return view(period, visits: visits, orders: orders)
    }

    /// The same answer with its two parts on connections of their own at once: cutting sessions is most of
    /// the time, and the orders' attribution need not wait for it.
    public static func run(
        _ period: ReportPeriod, workspaceID: UUID, using database: PostgresClient, logger: Logger
    ) async throws -> ChannelsReportView {
        async let visits = database.withConnection { try await sessions(period, workspaceID: workspaceID, on: $0, logger: logger) }
        async let orders = database.withConnection { try await Self.orders(period, workspaceID: workspaceID, on: $0, logger: logger) }
        return view(period, visits: try await visits, orders: try await orders)
    }

    /// Visitors and sessions per channel: sessions are the period's page and screen views of a profile cut
    /// at 30-minute gaps, each credited to its first campaign.
    static func sessions(
        _ period: ReportPeriod, workspaceID: UUID, on connection: PostgresConnection, logger: Logger
    ) async throws -> [String: (visitors: Int, sessions: Int)] {
        // Sessions are cut per profile, across its devices: `anonymousId` is sealed at rest (each ciphertext
        // differs), so the database cannot tell one device from another.
        let query: PostgresQuery = """
            WITH period_views AS (
                SELECT e.profile_id, e.event_time, e.message_id, e.campaign,
                       CASE WHEN e.event_time - lag(e.event_time) OVER profile_views < interval '\(unescaped: sessionGap)' THEN 0 ELSE 1 END AS opens
                FROM report_events e
                WHERE e.workspace_id = \(workspaceID) AND e.profile_id IS NOT NULL AND e.type IN ('page', 'screen')
                  AND e.event_time >= \(period.from) AND e.event_time < \(period.to)
                WINDOW profile_views AS (PARTITION BY e.profile_id ORDER BY e.event_time, e.message_id COLLATE "C")
            ),
            numbered AS (
                SELECT *, sum(opens) OVER (PARTITION BY profile_id ORDER BY event_time, message_id COLLATE "C" ROWS UNBOUNDED PRECEDING) AS session
                FROM period_views
            ),
            sessions AS (
                SELECT profile_id,
                       coalesce((array_agg(campaign ORDER BY event_time, message_id COLLATE "C") FILTER (WHERE campaign IS NOT NULL))[1], '(direct)') AS channel
                FROM numbered GROUP BY profile_id, session
            )
            SELECT channel, count(DISTINCT profile_id), count(*) FROM sessions GROUP BY channel
            """
        var visits: [String: (visitors: Int, sessions: Int)] = [:]
        for row in try await ReportQuery.rows(query, on: connection, logger: logger) {
            let (channel, visitors, sessions) = try row.decode((String, Int, Int).self)
            visits[channel] = (visitors, sessions)
        }
        return visits
    }

    /// Orders, net revenue and buyers per channel: each standing order of the period credited to the latest
    /// campaign its profile viewed within 30 days before it.
    static func orders(
        _ period: ReportPeriod, workspaceID: UUID, on connection: PostgresConnection, logger: Logger
    ) async throws -> [String: (orders: Int, revenueSatang: Int, buyers: Int)] {
        let query: PostgresQuery = """
            WITH orders AS (\(standingOrdersOf: workspaceID, completedIn: period)),
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
            )
            SELECT channel, count(*), sum(net_satang)::bigint, count(DISTINCT profile_id) FROM attributed GROUP BY channel
            """
        var orders: [String: (orders: Int, revenueSatang: Int, buyers: Int)] = [:]
        for row in try await ReportQuery.rows(query, on: connection, logger: logger) {
            let (channel, count, revenue, buyers) = try row.decode((String, Int, Int, Int).self)
            orders[channel] = (count, revenue, buyers)
        }
        return orders
    }

    /// Every channel either part named, the most visitors first, then by name (byte order).
    private static func view(
        _ period: ReportPeriod, visits: [String: (visitors: Int, sessions: Int)], orders: [String: (orders: Int, revenueSatang: Int, buyers: Int)]
    ) -> ChannelsReportView {
        let channels = Set(visits.keys).union(orders.keys).map { channel in
            let visit = visits[channel] ?? (0, 0)
            let order = orders[channel] ?? (0, 0, 0)
            return ChannelsReportView.Channel(
                channel: channel, visitors: visit.visitors, sessions: visit.sessions, orders: order.orders,
                revenue: ReportMath.baht(order.revenueSatang), buyers: order.buyers
            )
        }.sorted { a, b in
            a.visitors != b.visitors ? a.visitors > b.visitors : a.channel.utf8.lexicographicallyPrecedes(b.channel.utf8)
        }
        return ChannelsReportView(from: period.from, to: period.to, channels: channels)
    }
}
