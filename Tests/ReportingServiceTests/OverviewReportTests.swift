import Foundation
import KinshipCore
import KinshipTestSupport
import Testing
@testable import ReportingService

struct OverviewReportTests {
    static let march = ReportFixture.period("2026-03-01T00:00:00.000Z", "2026-03-08T00:00:00.000Z")

    @Test func countsEventsProfilesAndNetRevenueOfOrdersPlacedInThePeriodAndTheOneBefore() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ReportFixture(database: database)
            let ann = try await shop.profile(identifiedBy: ["user_id", "anonymous_id"])
            let ben = try await shop.profile(identifiedBy: ["anonymous_id"])
            let cat = try await shop.profile(identifiedBy: ["email"])
            let dan = try await shop.profile()
            let eve = try await shop.profile(identifiedBy: ["user_id"])
            let fay = try await shop.profile()

            // Ann: 1,000 refunded 300 after the period: the order still counts, at 700.
            try await shop.page(of: ann, at: "2026-03-02T10:00:00.000Z")
            try await shop.track("Order Completed", of: ann, at: "2026-03-02T10:05:00.000Z", ["order_id": "O1", "total": 1000])
            try await shop.track("Order Refunded", of: ann, at: "2026-03-20T10:00:00.000Z", ["order_id": "O1", "total": 300])
            // Ben: an order cancelled is no order.
            try await shop.page(of: ben, at: "2026-03-03T10:00:00.000Z")
            try await shop.track("Order Completed", of: ben, at: "2026-03-03T10:05:00.000Z", ["order_id": "O2", "total": 500])
            try await shop.track("Order Cancelled", of: ben, at: "2026-03-03T11:00:00.000Z", ["order_id": "O2", "total": 500])
            // Cat: an order completed twice is described by its earliest completion; one without order_id is its own.
            try await shop.track("Order Completed", of: cat, at: "2026-03-05T10:00:00.000Z", ["order_id": "O3", "total": 250.5])
            try await shop.track("Order Completed", of: cat, at: "2026-03-06T10:00:00.000Z", ["order_id": "O3", "total": 999])
            try await shop.track("Order Completed", of: cat, at: "2026-03-06T11:00:00.000Z", ["total": 100])
            // Dan ordered in the previous period; its refund (more than its total) came in this one.
            try await shop.track("Order Completed", of: dan, at: "2026-02-25T10:00:00.000Z", ["order_id": "O4", "total": 400])
            try await shop.track("Order Refunded", of: dan, at: "2026-03-02T09:00:00.000Z", ["order_id": "O4", "total": 600])
            // Eve's order is at the period's end, which it excludes; Fay's view is at its start, which it includes.
            try await shop.track("Order Completed", of: eve, at: "2026-03-08T00:00:00.000Z", ["order_id": "O5", "total": 1000])
            try await shop.page(of: fay, at: "2026-03-01T00:00:00.000Z")
            // An event identity has not resolved yet counts as an event, not as a profile.
            try await shop.page(of: nil, at: "2026-03-04T10:00:00.000Z")
            // Another workspace's order in the period.
            let other = try await ReportFixture(database: database)
            try await other.track("Order Completed", of: try await other.profile(identifiedBy: ["user_id"]), at: "2026-03-02T10:00:00.000Z", ["order_id": "O1", "total": 10000])

            let report = try await shop.run { connection in
                try await OverviewReport.run(Self.march, workspaceID: shop.workspaceID, on: connection, logger: ReportFixture.logger)
            }
            #expect(report.events == PeriodComparison(current: 11, previous: 1))
            #expect(report.activeProfiles == PeriodComparison(current: 5, previous: 1))
            #expect(report.identifiedShare == PeriodComparison(current: 2.0 / 5.0, previous: 0.0))
            #expect(report.orders == PeriodComparison(current: 3, previous: 1))
            #expect(report.revenue == PeriodComparison(current: 1050.5, previous: 0))
            #expect(report.refunded == PeriodComparison(current: 300, previous: 400))
            #expect(report.averageOrderValue == PeriodComparison(current: 350.17, previous: 0))
            #expect(report.conversionRate == PeriodComparison(current: 2.0 / 5.0, previous: 1.0))
            #expect(report.table.rows.first { $0[0] == "revenue" } == ["revenue", "1050.50", "0.00"])
            #expect(report.days == nil, "days only when asked")

            // Day by day: every day of the week, adding up to the period's events, orders and revenue.
            let daily = try await shop.run { connection in
                try await OverviewReport.run(Self.march, daily: true, workspaceID: shop.workspaceID, on: connection, logger: ReportFixture.logger)
            }
            let days = try #require(daily.days)
            #expect(days.map { Timestamp.format($0.starts).prefix(10) } == (1...7).map { "2026-03-0\($0)" })
            #expect(days.map(\.events).reduce(0, +) == 11)
            #expect(days.map(\.orders).reduce(0, +) == 3)
            #expect(abs(days.map(\.revenue).reduce(0, +) - 1050.5) < 0.001)
            #expect(days.allSatisfy { $0.activeProfiles <= 5 } && days.map(\.activeProfiles).reduce(0, +) >= 5)
            // Its queries on connections of their own at once give the same answer.
            let pooled = try await OverviewReport.run(Self.march, daily: true, workspaceID: shop.workspaceID, using: database, logger: ReportFixture.logger)
            #expect(pooled == daily)
        }
    }

    @Test func ratesOfAnEmptyPeriodAreNullInTheJSONAndEmptyInTheTable() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ReportFixture(database: database)
            let report = try await shop.run { connection in
                try await OverviewReport.run(Self.march, workspaceID: shop.workspaceID, on: connection, logger: ReportFixture.logger)
            }
            #expect(report.events == PeriodComparison(current: 0, previous: 0))
            #expect(report.revenue == PeriodComparison(current: 0, previous: 0))
            #expect(report.identifiedShare == PeriodComparison(current: nil, previous: nil))
            #expect(report.averageOrderValue == PeriodComparison(current: nil, previous: nil))
            #expect(report.conversionRate == PeriodComparison(current: nil, previous: nil))
            let json = String(decoding: try JSONCoding.encoder().encode(report), as: UTF8.self)
            #expect(json.contains(#""conversionRate":{"current":null,"previous":null}"#))
            #expect(json.contains(#""from":"2026-03-01T00:00:00.000Z""#))
            #expect(report.table.rows.first { $0[0] == "conversionRate" } == ["conversionRate", "", ""])
        }
    }

    @Test func thePreviousPeriodIsTheSameLengthJustBefore() {
        #expect(Self.march.previous == ReportFixture.period("2026-02-22T00:00:00.000Z", "2026-03-01T00:00:00.000Z"))
    }
}
