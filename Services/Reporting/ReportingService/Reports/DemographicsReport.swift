import Foundation
import KinshipCore
import KinshipPrivacy
import Logging
import PostgresNIO

/// Who the period's active profiles are, by age group and by profile traits, with what they bought
/// (docs/reporting.md).
public enum DemographicsReport {
    /// Traits the demo shop's customers carry that are not personal values (those are sealed at rest).
    public static let defaultTraits = ["gender", "state", "income_band"]

    /// - Parameter traits: profile traits to group by, besides the `age_group` computed trait.
    /// - Parameter keyring: opens the profiles' data keys, so a trait sealed at rest (a sensitive one:
    ///   `income_band`) is grouped by its value; without it such values are one group, `(sealed)`.
    public static func run(
        _ period: ReportPeriod, traits: [String] = defaultTraits, workspaceID: UUID, keyring: MasterKeyring? = nil,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> DemographicsReportView {
        // `profiles.traits` keeps each trait as {value, at, source}; `age_group` is segmentation's, from
        // the birthday, in `segment_profiles.computed`. A sealed value is grouped per profile, with the
        // profile's wrapped key, and opened here: Postgres cannot group by what only this process can read.
        let sealed = "(jsonb_typeof(people.traits->t.name->'value') = 'object' AND people.traits->t.name->'value' ? '$sealed')"
        let query: PostgresQuery = """
            WITH orders AS (\(standingOrdersOf: workspaceID, completedIn: period)),
            active AS (
                SELECT DISTINCT profile_id FROM report_events
                WHERE workspace_id = \(workspaceID) AND profile_id IS NOT NULL AND event_time >= \(period.from) AND event_time < \(period.to)
            ),
            purchases AS (
                SELECT profile_id, count(*) AS orders, sum(net_satang) AS satang FROM orders GROUP BY profile_id
            ),
            people AS (
                SELECT a.profile_id, p.data_key, p.traits, sp.computed->'age_group' AS age_group,
                       coalesce(o.orders, 0) AS orders, coalesce(o.satang, 0) AS satang
                FROM active a
                JOIN profiles p ON p.workspace_id = \(workspaceID) AND p.id = a.profile_id
                LEFT JOIN segment_profiles sp ON sp.workspace_id = \(workspaceID) AND sp.profile_id = a.profile_id
                LEFT JOIN purchases o ON o.profile_id = a.profile_id
            )
            SELECT d.dimension, d.value, d.sealed_profile, d.sealed_key, count(*), count(*) FILTER (WHERE orders > 0),
                   sum(orders)::bigint, sum(satang)::bigint
            FROM people
            CROSS JOIN LATERAL (
                SELECT 'age_group' AS dimension, \(unescaped: ReportSQL.displayText(of: "people.age_group")) AS value,
                       NULL::uuid AS sealed_profile, NULL::bytea AS sealed_key
                UNION ALL
                SELECT t.name,
                       CASE WHEN \(unescaped: sealed) THEN people.traits->t.name->'value'->>'$sealed'
                            ELSE \(unescaped: ReportSQL.displayText(of: "people.traits->t.name->'value'")) END,
                       CASE WHEN \(unescaped: sealed) THEN people.profile_id END,
                       CASE WHEN \(unescaped: sealed) THEN people.data_key END
                FROM unnest(\(traits)::text[]) AS t (name)
            ) AS d
            GROUP BY d.dimension, d.value, d.sealed_profile, d.sealed_key
            """
        // Per dimension and value: profiles, buyers, orders, satang (summed as integers, then baht).
        var totals: [String: [String: [Int]]] = [:]
        for row in try await ReportQuery.rows(query, on: connection, logger: logger) {
            let (dimension, text, sealedProfile, sealedKey, profiles, buyers, orders, satang) = try row.decode(
                (String, String, UUID?, Data?, Int, Int, Int, Int).self
            )
            var value = text
            if let sealedProfile, let sealedKey {
                value = "(sealed)"
                if let keyring, let sealed = text.base64Decoded.map({ Data($0) }) {
                    let opened = try ProfileTraits.openValue(
                        sealed, name: dimension, key: try keyring.unwrap(sealedKey), workspaceID: workspaceID, profileID: sealedProfile
                    )
                    value = opened.stringValue ?? (opened == .null ? "(none)" : opened.serialized())
                }
            }
            let known = totals[dimension]?[value] ?? [0, 0, 0, 0]
            totals[dimension, default: [:]][value] = zip(known, [profiles, buyers, orders, satang]).map { $0 + $1 }
        }
        let dimensions = (["age_group"] + traits).reduce(into: [String]()) { names, name in if !names.contains(name) { names.append(name) } }
        return DemographicsReportView(
            from: period.from, to: period.to,
            dimensions: dimensions.map { name in
                let groups = (totals[name] ?? [:]).map { value, sums in
                    DemographicsReportView.Group(value: value, profiles: sums[0], buyers: sums[1], orders: sums[2], revenue: ReportMath.baht(sums[3]))
                }
                // Largest first; equal sizes by value, as bytes (`COLLATE "C"`).
                return DemographicsReportView.Dimension(name: name, groups: groups.sorted {
                    $0.profiles != $1.profiles ? $0.profiles > $1.profiles : $0.value.utf8.lexicographicallyPrecedes($1.value.utf8)
                })
            }
        )
    }
}
