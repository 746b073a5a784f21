import Foundation
import Logging
import PostgresNIO

/// Carts left without an order, what they held, and those an order later recovered (docs/reporting.md).
public enum CartAbandonmentReport {
    /// How long after a cart's last event an order must come for the cart to count as converted: the
    /// `abandoned_cart` trait's default window.
    public static let window: TimeInterval = 24 * 3600

    /// - Parameter now: the moment that decides whether a cart without an order is abandoned yet (its
    ///   window has passed) or still pending.
    public static func run(
        _ period: ReportPeriod, now: Date = Date(), workspaceID: UUID, on connection: PostgresConnection, logger: Logger
    ) async throws -> CartAbandonmentReportView {
        // A profile's carts are its cart events grouped by the first `Order Completed` at or after each
        // (any order, cancelled or not, closes a cart, as for the cart traits); the events no order
        // followed are its open cart. Only profiles with a cart event in the period are read.
        let windowSeconds = window
        let query: PostgresQuery = """
            WITH shoppers AS (
                SELECT DISTINCT e.profile_id
                FROM report_events e
                WHERE e.profile_id IS NOT NULL AND e.workspace_id = \(workspaceID) AND e.type = 'track' AND e.event IN ('Product Added', 'Checkout Started')
                  AND e.event_time >= \(period.from) AND e.event_time < \(period.to)
            ),
            activity AS (
                SELECT e.profile_id, e.event, e.event_time, e.message_id, e.value_satang
                FROM report_events e
                JOIN shoppers s ON s.profile_id = e.profile_id
                WHERE e.workspace_id = \(workspaceID) AND e.type = 'track'
                  AND e.event IN ('Product Added', 'Checkout Started', 'Order Completed')
            ),
            -- The first order at or after each event: a running minimum over the profile's activity, latest
            -- first, orders ahead of other events of the same moment. (A lookup per cart event into the
            -- activity grew with events times activity: minutes at 10,000 customers.)
            timed AS (
                SELECT a.*,
                       min(a.event_time) FILTER (WHERE a.event = 'Order Completed') OVER (
                           PARTITION BY a.profile_id ORDER BY a.event_time DESC, (a.event = 'Order Completed') DESC
                           ROWS UNBOUNDED PRECEDING
                       ) AS closed_at
                FROM activity a
            ),
            cart_events AS (
                SELECT t.profile_id, t.event, t.event_time, t.message_id, t.closed_at,
                       max(t.event_time) FILTER (WHERE t.event = 'Checkout Started') OVER (PARTITION BY t.profile_id, t.closed_at) AS checkout_at,
                       t.value_satang AS satang
                FROM timed t WHERE t.event IN ('Product Added', 'Checkout Started')
            ),
            -- A cart holds what its last checkout said, and what was added after that checkout.
            carts AS (
                SELECT profile_id, closed_at, max(event_time) AS last_at,
                       (array_agg(satang ORDER BY event_time DESC, message_id COLLATE "C" DESC) FILTER (WHERE event = 'Checkout Started'))[1] AS checkout_satang,
                       sum(satang) FILTER (WHERE event = 'Product Added' AND (checkout_at IS NULL OR event_time > checkout_at)) AS added_satang
                FROM cart_events GROUP BY profile_id, closed_at
            ),
            judged AS (
                SELECT c.*,
                       coalesce(c.checkout_satang, 0) + coalesce(c.added_satang, 0) AS value_satang,
                       c.closed_at <= c.last_at + \(windowSeconds) * interval '1 second' AS converted,
                       (c.closed_at IS NULL OR c.closed_at > c.last_at + \(windowSeconds) * interval '1 second')
                           AND c.last_at + \(windowSeconds) * interval '1 second' <= \(now) AS abandoned
                FROM carts c
                WHERE c.last_at >= \(period.from) AND c.last_at < \(period.to)
            )
            SELECT count(*),
                   count(*) FILTER (WHERE converted),
                   count(*) FILTER (WHERE abandoned),
                   coalesce(sum(value_satang) FILTER (WHERE abandoned), 0)::bigint,
                   count(*) FILTER (WHERE abandoned AND closed_at IS NOT NULL),
                   coalesce(sum(value_satang) FILTER (WHERE abandoned AND closed_at IS NOT NULL), 0)::bigint
            FROM judged
            """
        let row = try await ReportQuery.rows(query, on: connection, logger: logger)[0]
        let (carts, converted, abandoned, abandonedSatang, recovered, recoveredSatang) = try row.decode((Int, Int, Int, Int, Int, Int).self)
        return CartAbandonmentReportView(
            from: period.from, to: period.to, carts: carts, converted: converted, abandoned: abandoned,
            pending: carts - converted - abandoned,
            abandonmentRate: ReportMath.rate(abandoned, of: converted + abandoned),
            abandonedValue: ReportMath.baht(abandonedSatang), recovered: recovered, recoveredValue: ReportMath.baht(recoveredSatang),
            recoveryRate: ReportMath.rate(recovered, of: abandoned)
        )
    }
}
