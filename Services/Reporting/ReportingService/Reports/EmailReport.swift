import Foundation
import Logging
import PostgresNIO

/// E-mail campaigns' delivery and engagement, from the events the e-mail service and the pixel send
/// (docs/reporting.md).
public enum EmailReport {
    public static func run(
        _ period: ReportPeriod, workspaceID: UUID, on connection: PostgresConnection, logger: Logger
    ) async throws -> EmailReportView {
        // "Unique" counts people: the profile identity attached the event to, or the event itself while
        // it has none, so an unresolved open is never lost and never merged with another.
        let query: PostgresQuery = """
            SELECT e.email_campaign,
                   max(e.email_campaign_name),
                   count(*) FILTER (WHERE e.event = 'Email Delivered'),
                   count(DISTINCT who.id) FILTER (WHERE e.event = 'Email Opened'),
                   count(DISTINCT who.id) FILTER (WHERE e.event = 'Email Link Clicked'),
                   count(*) FILTER (WHERE e.event = 'Email Bounced'),
                   count(DISTINCT who.id) FILTER (WHERE e.event = 'Unsubscribed')
            FROM report_events e
            CROSS JOIN LATERAL (SELECT coalesce(e.profile_id::text, 'event:' || e.message_id) AS id) who
            WHERE e.workspace_id = \(workspaceID) AND e.type = 'track'
              AND e.event IN ('Email Delivered', 'Email Opened', 'Email Link Clicked', 'Email Bounced', 'Unsubscribed')
              AND e.event_time >= \(period.from) AND e.event_time < \(period.to)
            GROUP BY e.email_campaign
            ORDER BY count(*) FILTER (WHERE e.event = 'Email Delivered') DESC, e.email_campaign COLLATE "C"
            """
        let campaigns = try await ReportQuery.rows(query, on: connection, logger: logger).map { try $0.decode((String, String?, Int, Int, Int, Int, Int).self) }
            .map { row in
                EmailReportView.Campaign(
                    campaignId: row.0, campaignName: row.1, delivered: row.2, uniqueOpens: row.3, uniqueClicks: row.4,
                    bounces: row.5, unsubscribes: row.6
                )
            }
        func sum(_ count: KeyPath<EmailReportView.Campaign, Int>) -> Int { campaigns.map { $0[keyPath: count] }.reduce(0, +) }
        let total = EmailReportView.Campaign(
            campaignId: "(total)", campaignName: nil, delivered: sum(\.delivered), uniqueOpens: sum(\.uniqueOpens),
            uniqueClicks: sum(\.uniqueClicks), bounces: sum(\.bounces), unsubscribes: sum(\.unsubscribes)
        )
        return EmailReportView(from: period.from, to: period.to, campaigns: campaigns, total: total)
    }
}
