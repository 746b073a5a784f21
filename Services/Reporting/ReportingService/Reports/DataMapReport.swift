import Foundation
import KinshipDatabase
import KinshipPrivacy
import Logging
import PostgresNIO

/// Every trait and property key the period's events hold: where it sits, its data kind and sensitivity by
/// the workspace's classification, how many values, since when, how many of them are encrypted at rest,
/// and the consent categories of the events that carry it, by the workspace's privacy policy
/// (docs/reporting.md). Read from the stored events' keys as reporting's worker rolled them up (hourly sums,
/// `report_data_keys`), so "encrypted" is what is on disk.
public enum DataMapReport {
    /// The most keys one answer lists (the most used first); a workspace sending more names than this has
    /// keys that are data, not names, and the answer says it was cut.
    public static let maximumKeys = 1000
    /// The most kinds of event (type and name) read per key to name its consent categories.
    static let maximumEventKinds = 200

    public static func run(_ period: ReportPeriod, workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> DataMapReportView {
        // The whole hours of the period from the hourly sums, the parts of an hour at either end from the
        // rolled-up events of those minutes themselves, each spread into its keys as the sums were.
        let hours = WholeHours(period)
        let query: PostgresQuery = """
            WITH fields AS (
                SELECT place, key, kind_of_event, value_count, sealed_count, looks_personal_count, first_seen, last_seen
                FROM report_data_keys
                WHERE workspace_id = \(workspaceID) AND hour >= \(hours.from) AND hour < \(hours.to)
                UNION ALL
                SELECT f.place, f.key, f.kind_of_event, 1, f.sealed::int, f.looks_personal::int, f.event_time, f.event_time
                FROM report_events r
                JOIN report_data_key_rows f ON f.workspace_id = r.workspace_id AND f.received_at = r.received_at AND f.message_id = r.message_id
                WHERE r.workspace_id = \(workspaceID)
                  AND ((r.event_time >= \(period.from) AND r.event_time < \(hours.from)) OR (r.event_time >= \(hours.to) AND r.event_time < \(period.to)))
            )
            SELECT place, key, sum(value_count)::bigint, sum(sealed_count)::bigint, sum(looks_personal_count)::bigint,
                   min(first_seen), max(last_seen), (array_agg(DISTINCT kind_of_event))[1:\(maximumEventKinds)]
            FROM fields
            GROUP BY place, key
            ORDER BY 3 DESC, place, key COLLATE "C"
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

/// The whole UTC hours inside a period, `from` ..< `to`; an empty range (`from` = `to`, the period's end hour)
/// when the period holds none, so the events between its ends are read one by one.
struct WholeHours: Equatable {
    let from: Date
    let to: Date

    init(_ period: ReportPeriod) {
        let first = (period.from.timeIntervalSince1970 / 3600).rounded(.up) * 3600
        let last = (period.to.timeIntervalSince1970 / 3600).rounded(.down) * 3600
        if first < last {
            (from, to) = (Date(timeIntervalSince1970: first), Date(timeIntervalSince1970: last))
        } else {
            (from, to) = (period.to, period.to)
        }
    }
}
