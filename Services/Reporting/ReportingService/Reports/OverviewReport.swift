import Foundation
import Logging
import PostgresNIO

/// The workspace at a glance for a period, each figure beside the previous period's (docs/reporting.md).
public enum OverviewReport {
    public static func run(
        _ period: ReportPeriod, workspaceID: UUID, on connection: PostgresConnection, logger: Logger
    ) async throws -> OverviewReportView {
        let current = try await figures(period, workspaceID: workspaceID, on: connection, logger: logger)
        let previous = try await figures(period.previous, workspaceID: workspaceID, on: connection, logger: logger)
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
            conversionRate: compare { ReportMath.rate($0.buyers, of: $0.activeProfiles) }
        )
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
        // Identity keeps `event_profiles` pointing at live profiles (a merge moves the rows), so its
        // profile ids need no look-up through `profiles.merged_into`.
        let query: PostgresQuery = """
            WITH orders AS (\(standingOrdersOf: workspaceID, completedIn: period)),
            active AS (
                SELECT DISTINCT profile_id FROM event_profiles
                WHERE workspace_id = \(workspaceID) AND event_time >= \(period.from) AND event_time < \(period.to)
            )
            SELECT
                (SELECT count(*) FROM events
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
