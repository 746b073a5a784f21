import Foundation
import KinshipCore
import KinshipTestSupport
import Testing
@testable import ReportingService

struct ChannelsReportTests {
    @Test func countsVisitorsBySessionChannelAndOrdersByTheirLastCampaignTouch() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ReportFixture(database: database)
            let (p1, p2, p3, p4) = (try await shop.profile(), try await shop.profile(), try await shop.profile(), try await shop.profile())
            let google: [String: JSONValue] = ["source": "google", "medium": "cpc", "name": "brand"]
            // P1: a Google session, then a direct one 110 minutes later, then an order Google brought.
            try await shop.page(of: p1, at: "2026-03-02T10:00:00.000Z", campaign: google)
            try await shop.page(of: p1, at: "2026-03-02T10:10:00.000Z")
            try await shop.page(of: p1, at: "2026-03-02T12:00:00.000Z")
            try await shop.track("Order Completed", of: p1, at: "2026-03-02T12:05:00.000Z", ["order_id": "O1", "total": 1000])
            // P2: a Facebook visit before the period brought an order placed after a direct visit; refunded in part.
            try await shop.page(of: p2, at: "2026-02-20T10:00:00.000Z", campaign: ["source": "facebook", "medium": "paid_social"])
            try await shop.page(of: p2, at: "2026-03-03T10:00:00.000Z")
            try await shop.track("Order Completed", of: p2, at: "2026-03-03T10:05:00.000Z", ["order_id": "O2", "total": 500])
            try await shop.track("Order Refunded", of: p2, at: "2026-03-04T10:00:00.000Z", ["order_id": "O2", "total": 200])
            // P3: a session whose first campaign (a source without a medium) names it, though another follows.
            try await shop.page(of: p3, at: "2026-03-04T00:00:00.000Z", campaign: ["source": "line"])
            try await shop.page(of: p3, at: "2026-03-04T00:20:00.000Z", campaign: google)
            // P4: a Google visit more than 30 days before the order: the order came direct.
            try await shop.page(of: p4, at: "2026-01-01T10:00:00.000Z", campaign: google)
            try await shop.track("Order Completed", of: p4, at: "2026-03-05T10:00:00.000Z", ["order_id": "O4", "total": 800])
            let other = try await ReportFixture(database: database)
            let stranger = try await other.profile()
            try await other.page(of: stranger, at: "2026-03-02T10:00:00.000Z", campaign: google)
            try await other.track("Order Completed", of: stranger, at: "2026-03-02T10:05:00.000Z", ["order_id": "O9", "total": 9000])

            let period = ReportFixture.period("2026-03-01T00:00:00.000Z", "2026-03-08T00:00:00.000Z")
            let report = try await shop.run { connection in
                try await ChannelsReport.run(period, workspaceID: shop.workspaceID, on: connection, logger: ReportFixture.logger)
            }
            #expect(report.channels.map(\.channel) == ["(direct)", "google/cpc", "line", "facebook/paid_social"])
            #expect(report.channels.map(\.visitors) == [2, 1, 1, 0])
            #expect(report.channels.map(\.sessions) == [2, 1, 1, 0])
            #expect(report.channels.map(\.orders) == [1, 1, 0, 1])
            #expect(report.channels.map(\.revenue) == [800, 1000, 0, 300])
            #expect(report.channels.map(\.buyers) == [1, 1, 0, 1])
            #expect(report.channels.map(\.conversionRate) == [0.5, 1, 0, nil])
            #expect(report.table.rows[3] == ["facebook/paid_social", "0", "0", "1", "300.00", "1", ""])
        }
    }
}
