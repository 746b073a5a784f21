import Foundation
import KinshipCore
import KinshipTestSupport
import Testing
@testable import ReportingService

struct EmailReportTests {
    @Test func countsEachCampaignsDeliveriesAndThePeopleWhoOpenedClickedOrLeft() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ReportFixture(database: database)
            let (p1, p2, p3, p4, p5) = (try await shop.profile(), try await shop.profile(), try await shop.profile(), try await shop.profile(), try await shop.profile())
            let first: [String: JSONValue] = ["campaign_id": "nl-1", "campaign_name": "Newsletter 1"]
            let second: [String: JSONValue] = ["campaign_id": "nl-2", "campaign_name": "Newsletter 2"]
            let day = "2026-03-03T"
            // nl-1: delivered to three, bounced for one; opened by two people (one twice) and by an open not
            // yet resolved to anyone; clicked by one; one unsubscribed.
            try await shop.track("Email Delivered", of: p1, at: day + "10:00:00.000Z", first)
            try await shop.track("Email Opened", of: p1, at: day + "11:00:00.000Z", first)
            try await shop.track("Email Opened", of: p1, at: day + "12:00:00.000Z", first)
            try await shop.track("Email Link Clicked", of: p1, at: day + "12:01:00.000Z", first)
            try await shop.track("Email Delivered", of: p2, at: day + "10:00:00.000Z", first)
            try await shop.track("Email Opened", of: p2, at: day + "13:00:00.000Z", first)
            try await shop.track("Email Bounced", of: p3, at: day + "10:00:00.000Z", first)
            try await shop.track("Email Delivered", of: p4, at: day + "10:00:00.000Z", first)
            try await shop.track("Unsubscribed", of: p4, at: day + "14:00:00.000Z", first)
            try await shop.track("Email Opened", of: nil, at: day + "15:00:00.000Z", first)
            // nl-2: one delivery in the period, one before it.
            try await shop.track("Email Delivered", of: p1, at: "2026-03-05T10:00:00.000Z", second)
            try await shop.track("Email Delivered", of: p2, at: "2026-02-27T10:00:00.000Z", second)
            // An unsubscription that names no campaign.
            try await shop.track("Unsubscribed", of: p5, at: "2026-03-06T10:00:00.000Z")
            let other = try await ReportFixture(database: database)
            try await other.track("Email Delivered", of: try await other.profile(), at: day + "10:00:00.000Z", first)

            let period = ReportFixture.period("2026-03-01T00:00:00.000Z", "2026-03-08T00:00:00.000Z")
            let report = try await shop.run { connection in
                try await EmailReport.run(period, workspaceID: shop.workspaceID, on: connection, logger: ReportFixture.logger)
            }
            #expect(report.campaigns.map(\.campaignId) == ["nl-1", "nl-2", "(none)"])
            #expect(report.campaigns.map(\.campaignName) == ["Newsletter 1", "Newsletter 2", nil])
            #expect(report.campaigns.map(\.delivered) == [3, 1, 0])
            #expect(report.campaigns.map(\.uniqueOpens) == [3, 0, 0])
            #expect(report.campaigns.map(\.uniqueClicks) == [1, 0, 0])
            #expect(report.campaigns.map(\.bounces) == [1, 0, 0])
            #expect(report.campaigns.map(\.unsubscribes) == [1, 0, 1])
            #expect(report.campaigns.map(\.openRate) == [1, 0, nil])
            #expect(report.campaigns.map(\.clickThroughRate) == [1.0 / 3.0, 0, nil])
            #expect(report.campaigns.map(\.bounceRate) == [0.25, 0, nil])
            #expect([report.total.delivered, report.total.uniqueOpens, report.total.uniqueClicks, report.total.bounces, report.total.unsubscribes] == [4, 3, 1, 1, 2] as [Int])
            #expect([report.total.openRate, report.total.clickThroughRate, report.total.bounceRate] == [0.75, 0.25, 0.2] as [Double?])
            #expect(report.table.rows.count == 4)
            #expect(report.table.rows[2] == ["(none)", "", "0", "0", "", "0", "", "0", "", "1"])
        }
    }
}
