import Foundation
import Logging
import PostgresNIO

/// Support tickets opened and resolved, and how long resolving took, overall and per category and channel
/// (docs/reporting.md).
public enum SupportReport {
    public static func run(
        _ period: ReportPeriod, workspaceID: UUID, on connection: PostgresConnection, logger: Logger
    ) async throws -> SupportReportView {
        // Tickets as the support traits define them: the events sharing a string `ticket_id`, described by the
        // earliest `Ticket Opened` (then the smaller message id), resolved at the latest `Ticket Resolved`.
        // Each ticket is counted three times below, once per dimension, so one scan gives every group.
        let query: PostgresQuery = """
            WITH ticket_events AS (
                SELECT e.event, e.event_time, e.message_id, e.ticket_id, e.ticket_category AS category, e.ticket_channel AS channel
                FROM report_events e
                WHERE e.workspace_id = \(workspaceID) AND e.type = 'track' AND e.event IN ('Ticket Opened', 'Ticket Resolved')
                  AND e.ticket_id IS NOT NULL
            ),
            openings AS (
                SELECT DISTINCT ON (ticket_id) ticket_id, event_time AS opened_at, category, channel
                FROM ticket_events WHERE event = 'Ticket Opened'
                ORDER BY ticket_id, event_time, message_id COLLATE "C"
            ),
            tickets AS (
                SELECT o.*, r.resolved_at,
                       o.opened_at >= \(period.from) AND o.opened_at < \(period.to) AS opened_in_period,
                       r.resolved_at >= \(period.from) AND r.resolved_at < \(period.to) AS resolved_in_period,
                       greatest(0, extract(epoch FROM r.resolved_at - o.opened_at)::float8 / 3600) AS hours
                FROM openings o
                LEFT JOIN (SELECT ticket_id, max(event_time) AS resolved_at FROM ticket_events WHERE event = 'Ticket Resolved' GROUP BY ticket_id) r
                    ON r.ticket_id = o.ticket_id
            )
            SELECT d.dimension, d.value,
                   count(*) FILTER (WHERE opened_in_period),
                   count(*) FILTER (WHERE resolved_in_period),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY hours) FILTER (WHERE resolved_in_period),
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY hours) FILTER (WHERE resolved_in_period)
            FROM tickets t
            CROSS JOIN LATERAL (VALUES ('total', ''), ('category', t.category), ('channel', t.channel)) AS d (dimension, value)
            WHERE t.opened_in_period OR t.resolved_in_period
            GROUP BY d.dimension, d.value
            ORDER BY d.dimension, count(*) FILTER (WHERE opened_in_period) DESC, d.value COLLATE "C"
            """
        var total = SupportReportView.Group(value: "(total)", opened: 0, resolved: 0, medianResolutionHours: nil, p90ResolutionHours: nil)
        var categories: [SupportReportView.Group] = []
        var channels: [SupportReportView.Group] = []
        for row in try await ReportQuery.rows(query, on: connection, logger: logger) {
            let (dimension, value, opened, resolved, median, p90) = try row.decode((String, String, Int, Int, Double?, Double?).self)
            let group = SupportReportView.Group(
                value: value, opened: opened, resolved: resolved, medianResolutionHours: median, p90ResolutionHours: p90
            )
            switch dimension {
            case "category": categories.append(group)
            case "channel": channels.append(group)
            default: total = SupportReportView.Group(
                value: "(total)", opened: opened, resolved: resolved, medianResolutionHours: median, p90ResolutionHours: p90
            )
            }
        }
        return SupportReportView(from: period.from, to: period.to, total: total, categories: categories, channels: channels)
    }
}
