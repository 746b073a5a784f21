import Foundation
import PostgresNIO

/// SQL that several reports share, written into a report's query by string interpolation so that every
/// value in it is bound like the rest of the query's (`"WITH orders AS (\(standingOrdersOf: id, completedIn: period)) …"`).
extension PostgresQuery.StringInterpolation {
    /// The workspace's standing orders whose completion falls in the period, from the rollup, one row each:
    /// `order_key`, `completed_at`, `profile_id` (NULL while identity has not resolved the event),
    /// `total_satang` and `net_satang` (the total less the order's refunds, never below 0).
    ///
    /// The definitions are the computed traits' (docs/computed-traits.md, Purchases), over the whole
    /// workspace instead of one profile: an order is the events sharing a string `order_id` (an
    /// `Order Completed` without one is an order of its own), described by its earliest `Order Completed`
    /// (then the smaller message id), standing when no `Order Cancelled` names it. Cancellations and refunds
    /// count whenever they happen, so an order belongs to the period it was placed in.
    mutating func appendInterpolation(standingOrdersOf workspaceID: UUID, completedIn period: ReportPeriod) {
        appendLiteral(
            """
            WITH order_events AS (
                SELECT event, event_time, message_id, profile_id, order_key, value_satang AS satang
                FROM report_events
                WHERE workspace_id = 
            """
        )
        appendInterpolation(workspaceID)
        appendLiteral(
            """
             AND type = 'track' AND event IN ('Order Completed', 'Order Cancelled', 'Order Refunded')
            ),
            completions AS (
                SELECT DISTINCT ON (order_key) order_key, event_time AS completed_at, profile_id, satang AS total_satang
                FROM order_events WHERE event = 'Order Completed'
                ORDER BY order_key, event_time, message_id COLLATE "C"
            ),
            refunds AS (
                SELECT order_key, sum(greatest(satang, 0)) AS refunded_satang FROM order_events WHERE event = 'Order Refunded' GROUP BY order_key
            )
            SELECT c.order_key, c.completed_at, c.profile_id, c.total_satang,
                   greatest(0, c.total_satang - coalesce(r.refunded_satang, 0))::bigint AS net_satang
            FROM completions c
            LEFT JOIN refunds r ON r.order_key = c.order_key
            WHERE NOT EXISTS (SELECT 1 FROM order_events x WHERE x.order_key = c.order_key AND x.event = 'Order Cancelled')
              AND c.completed_at >= 
            """
        )
        appendInterpolation(period.from)
        appendLiteral(" AND c.completed_at < ")
        appendInterpolation(period.to)
    }

    /// The start of every interval that overlaps the period, as `starts` (timestamp, UTC wall time):
    /// the first may begin before the period and the last end after it.
    mutating func appendInterpolation(intervalsOf interval: ReportInterval, over period: ReportPeriod) {
        appendLiteral("SELECT starts FROM generate_series(date_trunc(")
        appendInterpolation(interval.rawValue)
        appendLiteral(", ")
        appendInterpolation(period.from)
        appendLiteral(" AT TIME ZONE 'UTC'), ")
        appendInterpolation(period.to)
        appendLiteral(" AT TIME ZONE 'UTC', ")
        appendInterpolation("1 " + interval.rawValue)
        appendLiteral("::interval) AS starts WHERE starts < ")
        appendInterpolation(period.to)
        appendLiteral(" AT TIME ZONE 'UTC'")
    }
}

/// SQL expressions the reports share, over columns the calling query names (never over request text).
enum ReportSQL {
    /// A JSON number as integer satang (hundredths, rounded half away from zero); 0 when it is no number or
    /// beyond a billion baht (not money, and a bigint overflow for one event would fail every report), as
    /// `Satang` reads money for the computed traits (and `kinship_report_satang` for the rollups).
    static func satang(of json: String) -> String {
        """
        (CASE WHEN jsonb_typeof(\(json)) = 'number' AND abs((\(json) #>> '{}')::numeric) <= 1000000000
              THEN round((\(json) #>> '{}')::numeric * 100)::bigint ELSE 0 END)
        """
    }

    /// A property's value as a report shows it: its text (strings without quotes, other values as JSON),
    /// `(none)` when missing or null, and `(sealed)` for a personal value stored encrypted, which a report
    /// cannot read and must not group by (`kinship_report_text` for the rollups).
    static func displayText(of json: String) -> String {
        """
        (CASE WHEN \(json) IS NULL OR jsonb_typeof(\(json)) = 'null' THEN '(none)'
              WHEN jsonb_typeof(\(json)) = 'object' AND \(json) ? '$sealed' THEN '(sealed)'
              ELSE \(json) #>> '{}' END)
        """
    }
}
