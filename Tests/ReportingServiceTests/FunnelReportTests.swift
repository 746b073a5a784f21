import Foundation
import KinshipCore
import KinshipTestSupport
import PostgresNIO
import Testing
@testable import ReportingService

struct FunnelReportTests {
    static let march = ReportFixture.period("2026-03-01T00:00:00.000Z", "2026-03-08T00:00:00.000Z")
    static let steps = ["Product Viewed", "Product Added", "Order Completed"]

    /// Six shoppers whose paths through the funnel are worked out by hand in the comments.
    static func shop(_ database: PostgresClient) async throws -> ReportFixture {
        let shop = try await ReportFixture(database: database)
        func profile() async throws -> UUID { try await shop.profile() }
        // All three steps, in order, within the hour: [shoes] 1, 2, 3.
        let p1 = try await profile()
        try await shop.track("Product Viewed", of: p1, at: "2026-03-02T10:00:00.000Z", ["category": "shoes"])
        try await shop.track("Product Added", of: p1, at: "2026-03-02T10:10:00.000Z")
        try await shop.track("Order Completed", of: p1, at: "2026-03-02T10:30:00.000Z")
        // The order before the addition does not count as the third step: [shoes] 1, 2.
        let p2 = try await profile()
        try await shop.track("Product Viewed", of: p2, at: "2026-03-02T10:00:00.000Z", ["category": "shoes"])
        try await shop.track("Order Completed", of: p2, at: "2026-03-02T10:20:00.000Z")
        try await shop.track("Product Added", of: p2, at: "2026-03-02T10:30:00.000Z")
        // Added after the window; the later view that was followed in time is not the entry: [bags] 1.
        let p3 = try await profile()
        try await shop.track("Product Viewed", of: p3, at: "2026-03-03T10:00:00.000Z", ["category": "bags"])
        try await shop.track("Product Added", of: p3, at: "2026-03-03T11:00:01.000Z")
        try await shop.track("Product Viewed", of: p3, at: "2026-03-04T10:00:00.000Z", ["category": "shoes"])
        try await shop.track("Product Added", of: p3, at: "2026-03-04T10:05:00.000Z")
        // Entered before the period: not in the funnel.
        let p4 = try await profile()
        try await shop.track("Product Viewed", of: p4, at: "2026-02-28T23:59:00.000Z", ["category": "bags"])
        try await shop.track("Product Added", of: p4, at: "2026-03-01T00:01:00.000Z")
        // Entered at the period's end; the window runs past it: [bags] 1, 2, 3.
        let p5 = try await profile()
        try await shop.track("Product Viewed", of: p5, at: "2026-03-07T23:50:00.000Z", ["category": "bags"])
        try await shop.track("Product Added", of: p5, at: "2026-03-08T00:10:00.000Z")
        try await shop.track("Order Completed", of: p5, at: "2026-03-08T00:20:00.000Z")
        // Added before viewing, and the view has no category: [(none)] 1.
        let p6 = try await profile()
        try await shop.track("Product Added", of: p6, at: "2026-03-02T09:00:00.000Z")
        try await shop.track("Product Viewed", of: p6, at: "2026-03-02T09:10:00.000Z")
        // Another workspace's shopper who did everything.
        let other = try await ReportFixture(database: database)
        let stranger = try await other.profile()
        for (index, step) in steps.enumerated() {
            try await other.track(step, of: stranger, at: "2026-03-02T10:0\(index):00.000Z", ["category": "shoes"])
        }
        return shop
    }

    static func step(_ event: String, _ profiles: Int, _ fromPrevious: Double?, _ fromFirst: Double?) -> FunnelReportView.Step {
        FunnelReportView.Step(event: event, profiles: profiles, conversionFromPrevious: fromPrevious, conversionFromFirst: fromFirst)
    }

    @Test func countsProfilesThatDidEachStepInOrderWithinTheWindowOfTheirFirstStep() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await Self.shop(database)
            let report = try await shop.run { connection in
                try await FunnelReport.run(
                    Self.march, steps: Self.steps, windowSeconds: 3600, workspaceID: shop.workspaceID, on: connection, logger: ReportFixture.logger
                )
            }
            #expect(report.steps == [
                Self.step("Product Viewed", 5, nil, 1), Self.step("Product Added", 3, 3.0 / 5.0, 3.0 / 5.0),
                Self.step("Order Completed", 2, 2.0 / 3.0, 2.0 / 5.0),
            ])
            #expect(report.breakdown.isEmpty)
        }
    }

    @Test func splitsTheCountsByAPropertyOfTheFirstStep() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await Self.shop(database)
            let report = try await shop.run { connection in
                try await FunnelReport.run(
                    Self.march, steps: Self.steps, windowSeconds: 3600, breakdownProperty: "category", workspaceID: shop.workspaceID,
                    on: connection, logger: ReportFixture.logger
                )
            }
            #expect(report.steps.map(\.profiles) == [5, 3, 2])
            #expect(report.breakdown == [
                FunnelReportView.Group(value: "bags", steps: [
                    Self.step("Product Viewed", 2, nil, 1), Self.step("Product Added", 1, 0.5, 0.5), Self.step("Order Completed", 1, 1, 0.5),
                ]),
                FunnelReportView.Group(value: "shoes", steps: [
                    Self.step("Product Viewed", 2, nil, 1), Self.step("Product Added", 2, 1, 1), Self.step("Order Completed", 1, 0.5, 0.5),
                ]),
                FunnelReportView.Group(value: "(none)", steps: [
                    Self.step("Product Viewed", 1, nil, 1), Self.step("Product Added", 0, 0, 0), Self.step("Order Completed", 0, nil, 0),
                ]),
            ])
            #expect(report.table.rows.last == ["(none)", "3", "Order Completed", "0", "", "0.0"])
        }
    }

    @Test func aPropertyWithManyValuesShowsTheMostEnteredAndSumsTheRestAsOther() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ReportFixture(database: database)
            // 25 values: value k entered by k shoppers (k = 1…25), the first 3 of whom add to cart.
            for k in 1...25 {
                for index in 0..<k {
                    let shopper = try await shop.profile()
                    try await shop.track("Product Viewed", of: shopper, at: "2026-03-02T10:00:00.000Z", ["sku": .string("S\(k)")])
                    if index < 3 { try await shop.track("Product Added", of: shopper, at: "2026-03-02T10:05:00.000Z") }
                }
            }
            let report = try await shop.run { connection in
                try await FunnelReport.run(
                    Self.march, steps: Array(Self.steps.prefix(2)), windowSeconds: 3600, breakdownProperty: "sku", workspaceID: shop.workspaceID,
                    on: connection, logger: ReportFixture.logger
                )
            }
            #expect(report.breakdown.count == FunnelReport.maximumGroups + 1)
            #expect(report.breakdown.prefix(FunnelReport.maximumGroups).map(\.value) == (6...25).reversed().map { "S\($0)" })
            // S1…S5 summed: 1+2+3+4+5 entered, 1+2+3+3+3 added.
            #expect(report.breakdown.last?.value == "(other)")
            #expect(report.breakdown.last?.steps.map(\.profiles) == [15, 12])
            #expect(report.steps.map(\.profiles) == [325, 72])
        }
    }

    @Test func refusesAFunnelWithoutStepsOrWindow() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ReportFixture(database: database)
            await #expect(throws: KinshipError.self) {
                try await shop.run { connection in
                    try await FunnelReport.run(Self.march, steps: [], windowSeconds: 60, workspaceID: shop.workspaceID, on: connection, logger: ReportFixture.logger)
                }
            }
            await #expect(throws: KinshipError.self) {
                try await shop.run { connection in
                    try await FunnelReport.run(Self.march, steps: ["A"], windowSeconds: 0, workspaceID: shop.workspaceID, on: connection, logger: ReportFixture.logger)
                }
            }
        }
    }
}
