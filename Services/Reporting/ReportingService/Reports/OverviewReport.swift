import Foundation
import Logging
import PostgresNIO

/// The workspace at a glance for a period, each figure beside the previous period's (docs/reporting.md).
public enum OverviewReport {
    /// - Parameter daily: also each day's figures (`days`), for the dashboard's trend lines; one more pass
    ///   over the period's events.
    public static func run(
        _ period: ReportPeriod, daily: Bool = false, workspaceID: UUID, on connection: PostgresConnection, logger: Logger
    ) async throws -> OverviewReportView {
        let current = try await figures(period, workspaceID: workspaceID, on: connection, logger: logger)
        let previous = try await figures(period.previous, workspaceID: workspaceID, on: connection, logger: logger)
        let days = daily ? try await Self.days(period, workspaceID: workspaceID, on: connection, logger: logger) : nil
        return view(period, current: current, previous: previous, days: days)
    }

    /// The same answer with its queries (the period, the one before, the days) on connections of their own at
    /// once, for the dashboard's overview page, which a person waits for.
    public static func run(
        _ period: ReportPeriod, daily: Bool = false, workspaceID: UUID, using database: PostgresClient, logger: Logger
    ) async throws -> OverviewReportView {
        async let current = database.withConnection { try await figures(period, workspaceID: workspaceID, on: $0, logger: logger) }
        async let previous = database.withConnection { try await figures(period.previous, workspaceID: workspaceID, on: $0, logger: logger) }
        async let days = daily ? database.withConnection { try await Self.days(period, workspaceID: workspaceID, on: $0, logger: logger) } : nil
        return view(period, current: try await current, previous: try await previous, days: try await days)
    }

    private static func view(_ period: ReportPeriod, current: Figures, previous: Figures, days: [OverviewReportView.Day]?) -> OverviewReportView {
        func compare<Value: Codable & Sendable & Equatable>(_ figure: (Figures) -> Value) -> PeriodComparison<Value> {
            PeriodComparison(current: figure(current), previous: figure(previous))
        }
        return OverviewReportView(
            from: period.from, to: period.to,
            events: compare(\.events),
            activeProfiles: compare(\.activeProfiles),
            identifiedShare: compare { ReportMath.rate($0.identifiedProfiles, of: $0.activeProfiles) },
            orders: compare(\.orders),
            revenue: compare { ReportMath.baht($0.revenueSatang) },
            refunded: compare { ReportMath.baht($0.refundedSatang) },
            averageOrderValue: compare { ReportMath.averageBaht($0.revenueSatang, per: $0.orders) },
            conversionRate: compare { ReportMath.rate($0.buyers, of: $0.activeProfiles) },
            days: days
        )
    }

    /// Each UTC day of the period: its events, active profiles, standing orders and their net revenue, as the
    /// period's figures count them (a profile active on two days counts on each).
    static func days(_ period: ReportPeriod, workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> [OverviewReportView.Day] {
        let query: PostgresQuery = """
            WITH intervals AS (\(intervalsOf: .day, over: period)),
            orders AS (\(standingOrdersOf: workspaceID, completedIn: period)),
            -- One pass: the period's events counted per day and profile (hashed), then per day; a day's active
            -- profiles are its groups with a profile.
            per_day_and_profile AS (
                SELECT date_trunc('day', event_time AT TIME ZONE 'UTC') AS starts, profile_id, count(*) AS events FROM report_events
                WHERE workspace_id = \(workspaceID) AND event_time >= \(period.from) AND event_time < \(period.to)
                GROUP BY 1, 2
            ),
            per_day AS (
                SELECT starts, sum(events)::bigint AS events, count(profile_id) AS active FROM per_day_and_profile GROUP BY starts
            ),
            orders_per_day AS (
                SELECT date_trunc('day', completed_at AT TIME ZONE 'UTC') AS starts, count(*) AS orders, sum(net_satang)::bigint AS revenue
                FROM orders GROUP BY 1
            )
            SELECT i.starts AT TIME ZONE 'UTC', coalesce(d.events, 0), coalesce(d.active, 0), coalesce(o.orders, 0), coalesce(o.revenue, 0)::bigint
            FROM intervals i
            LEFT JOIN per_day d ON d.starts = i.starts
            LEFT JOIN orders_per_day o ON o.starts = i.starts
            ORDER BY i.starts
            """
        return try await ReportQuery.rows(query, on: connection, logger: logger).map { row in
            let (starts, events, active, orders, revenue) = try row.decode((Date, Int, Int, Int, Int).self)
            return OverviewReportView.Day(starts: starts, events: events, activeProfiles: active, orders: orders, revenue: ReportMath.baht(revenue))
        }
    }

    /// The counts of one period, before any division.
    struct Figures {
        var events: Int
        var activeProfiles: Int
        var identifiedProfiles: Int
        var orders: Int
        var revenueSatang: Int
        var refundedSatang: Int
        var buyers: Int
    }

    static func figures(_ period: ReportPeriod, workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Figures {
        // The rollup keeps each event's profile live (a merge re-points its rows, as identity moves
        // `event_profiles`), so its profile ids need no look-up through `profiles.merged_into`.
        let query: PostgresQuery = """
            WITH orders AS (\(standingOrdersOf: workspaceID, completedIn: period)),
            active AS (
                SELECT DISTINCT profile_id FROM report_events
                WHERE workspace_id = \(workspaceID) AND profile_id IS NOT NULL AND event_time >= \(period.from) AND event_time < \(period.to)
            )
            SELECT
                (SELECT count(*) FROM report_events
                 WHERE workspace_id = \(workspaceID) AND event_time >= \(period.from) AND event_time < \(period.to)),
                (SELECT count(*) FROM active),
                (SELECT count(*) FROM active a
                 WHERE EXISTS (SELECT 1 FROM identities i
                               WHERE i.workspace_id = \(workspaceID) AND i.profile_id = a.profile_id AND i.type IN ('user_id', 'email'))),
                (SELECT count(*) FROM orders),
                (SELECT coalesce(sum(net_satang), 0)::bigint FROM orders),
                (SELECT coalesce(sum(total_satang - net_satang), 0)::bigint FROM orders),
                (SELECT count(DISTINCT o.profile_id) FROM orders o JOIN active a ON a.profile_id = o.profile_id)
            """
        let rows = try await ReportQuery.rows(query, on: connection, logger: logger).map { try $0.decode((Int, Int, Int, Int, Int, Int, Int).self) }
        let row = rows[0]
        return Figures(
            events: row.0, activeProfiles: row.1, identifiedProfiles: row.2, orders: row.3, revenueSatang: row.4,
            refundedSatang: row.5, buyers: row.6
        )
    }
}
