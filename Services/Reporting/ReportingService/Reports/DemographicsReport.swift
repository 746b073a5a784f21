import Foundation
import Logging
import PostgresNIO

/// Who the period's active profiles are, by age group and by profile traits, with what they bought
/// (docs/reporting.md).
public enum DemographicsReport {
    /// Traits the demo shop's customers carry that are not personal values (those are sealed at rest).
    public static let defaultTraits = ["gender", "state", "income_band"]

    /// - Parameter traits: profile traits to group by, besides the `age_group` computed trait.
    public static func run(
        _ period: ReportPeriod, traits: [String] = defaultTraits, workspaceID: UUID, on connection: PostgresConnection, logger: Logger
    ) async throws -> DemographicsReportView {
        // `profiles.traits` keeps each trait as {value, at, source}; `age_group` is segmentation's, from
        // the birthday, in `segment_profiles.computed`.
        let query: PostgresQuery = """
            WITH orders AS (\(standingOrdersOf: workspaceID, completedIn: period)),
            active AS (
                SELECT DISTINCT profile_id FROM event_profiles
                WHERE workspace_id = \(workspaceID) AND event_time >= \(period.from) AND event_time < \(period.to)
            ),
            purchases AS (
                SELECT profile_id, count(*) AS orders, sum(net_satang) AS satang FROM orders GROUP BY profile_id
            ),
            people AS (
                SELECT a.profile_id, p.traits, sp.computed->'age_group' AS age_group,
                       coalesce(o.orders, 0) AS orders, coalesce(o.satang, 0) AS satang
                FROM active a
                JOIN profiles p ON p.workspace_id = \(workspaceID) AND p.id = a.profile_id
                LEFT JOIN segment_profiles sp ON sp.workspace_id = \(workspaceID) AND sp.profile_id = a.profile_id
                LEFT JOIN purchases o ON o.profile_id = a.profile_id
            )
            SELECT d.dimension, d.value, count(*), count(*) FILTER (WHERE orders > 0), sum(orders)::bigint, sum(satang)::bigint
            FROM people
            CROSS JOIN LATERAL (
                SELECT 'age_group' AS dimension, \(unescaped: ReportSQL.displayText(of: "people.age_group")) AS value
                UNION ALL
                SELECT t.name, \(unescaped: ReportSQL.displayText(of: "people.traits->t.name->'value'"))
                FROM unnest(\(traits)::text[]) AS t (name)
            ) AS d
            GROUP BY d.dimension, d.value
            ORDER BY d.dimension, count(*) DESC, d.value COLLATE "C"
            """
        var groups: [String: [DemographicsReportView.Group]] = [:]
        for row in try await ReportQuery.rows(query, on: connection, logger: logger) {
            let (dimension, value, profiles, buyers, orders, satang) = try row.decode((String, String, Int, Int, Int, Int).self)
            groups[dimension, default: []].append(
                DemographicsReportView.Group(value: value, profiles: profiles, buyers: buyers, orders: orders, revenue: ReportMath.baht(satang))
            )
        }
        let dimensions = (["age_group"] + traits).reduce(into: [String]()) { names, name in if !names.contains(name) { names.append(name) } }
        return DemographicsReportView(
            from: period.from, to: period.to,
            dimensions: dimensions.map { DemographicsReportView.Dimension(name: $0, groups: groups[$0] ?? []) }
        )
    }
}
