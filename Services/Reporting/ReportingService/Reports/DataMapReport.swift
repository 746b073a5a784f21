import Foundation
import KinshipDatabase
import KinshipPrivacy
import Logging
import PostgresNIO

/// Every trait and property key the period's events hold: where it sits, its data kind and sensitivity by
/// the workspace's classification, how many values, since when, how many of them are encrypted at rest,
/// and the consent categories of the events that carry it, by the workspace's privacy policy
/// (docs/reporting.md). Read from the stored events themselves, so "encrypted" is what is on disk.
public enum DataMapReport {
    /// The most keys one answer lists (the most used first); a workspace sending more names than this has
    /// keys that are data, not names, and the answer says it was cut.
    public static let maximumKeys = 1000
    /// The most kinds of event (type and name) read per key to name its consent categories.
    static let maximumEventKinds = 200

    public static func run(_ period: ReportPeriod, workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> DataMapReportView {
        // One pass over the period's events, each spread into its keys at the three places traits and
        // properties arrive. A value looks like an e-mail or a phone number by its text, whatever its key.
        let query: PostgresQuery = """
            WITH fields AS (
                SELECT f.place, f.key, f.value, e.event_time, e.type || ':' || coalesce(e.event, '') AS kind_of_event
                FROM events e
                CROSS JOIN LATERAL (
                    SELECT 'properties' AS place, key, value
                    FROM jsonb_each(CASE WHEN jsonb_typeof(e.message->'properties') = 'object' THEN e.message->'properties' ELSE '{}'::jsonb END)
                    UNION ALL
                    SELECT 'traits', key, value
                    FROM jsonb_each(CASE WHEN jsonb_typeof(e.message->'traits') = 'object' THEN e.message->'traits' ELSE '{}'::jsonb END)
                    UNION ALL
                    SELECT 'context.traits', key, value
                    FROM jsonb_each(CASE WHEN jsonb_typeof(e.message->'context'->'traits') = 'object' THEN e.message->'context'->'traits' ELSE '{}'::jsonb END)
                ) f
                WHERE e.workspace_id = \(workspaceID) AND e.event_time >= \(period.from) AND e.event_time < \(period.to)
            )
            SELECT place, key, count(*),
                   count(*) FILTER (WHERE jsonb_typeof(value) = 'object' AND value ? '$sealed'),
                   count(*) FILTER (WHERE jsonb_typeof(value) = 'string'
                                      AND (value #>> '{}' ~* '^[^@[:space:]]+@[^@[:space:]]+\\.[a-z]{2,}$'
                                           OR value #>> '{}' ~ '^(\\+|0)[0-9][0-9 ().-]{7,16}$')),
                   min(event_time), max(event_time),
                   (array_agg(DISTINCT kind_of_event))[1:\(maximumEventKinds)]
            FROM fields
            GROUP BY place, key
            ORDER BY count(*) DESC, place, key COLLATE "C"
            LIMIT \(maximumKeys + 1)
            """
        let rows = try await ReportQuery.rows(query, on: connection, logger: logger).map {
            try $0.decode((String, String, Int, Int, Int, Date, Date, [String]).self)
        }
        let policy = try await PrivacyPolicies.current(in: workspaceID, on: connection, logger: logger).policy
        let keys = rows.prefix(maximumKeys).map { place, key, values, sealed, looksPersonal, first, last, kindsOfEvent in
            let describingPerson = place != "properties"
            let categories = Set(kindsOfEvent.map { kind in
                let parts = kind.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                return policy.category(type: String(parts[0]), event: parts.count > 1 ? String(parts[1]) : nil)
            })
            return DataMapReportView.Key(
                place: place, key: key, kind: DataClassification.kind(of: key, describingPerson: describingPerson),
                sensitivity: max(policy.classification.sensitivity(of: key, describingPerson: describingPerson), looksPersonal > 0 ? .personal : .none),
                values: values, encrypted: sealed, personalLookingInClear: looksPersonal, firstSeen: first, lastSeen: last,
                consentCategories: categories.sorted()
            )
        }
        return DataMapReportView(from: period.from, to: period.to, keys: Array(keys), truncated: rows.count > maximumKeys)
    }
}

