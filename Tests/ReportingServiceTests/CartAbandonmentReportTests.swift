import Foundation
import KinshipCore
import KinshipTestSupport
import Testing
@testable import ReportingService

struct CartAbandonmentReportTests {
    @Test func judgesEachCartOfThePeriodByTheOrderThatFollowedItAndValuesTheAbandonedOnes() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ReportFixture(database: database)
            var people: [UUID] = []
            for _ in 0..<7 { people.append(try await shop.profile()) }
            let (p1, p2, p3, p4, p5, p6, p7) = (people[0], people[1], people[2], people[3], people[4], people[5], people[6])
            // P1: 2 × 100, ordered two hours later: converted.
            try await shop.track("Product Added", of: p1, at: "2026-03-02T10:00:00.000Z", ["price": 100, "quantity": 2])
            try await shop.track("Order Completed", of: p1, at: "2026-03-02T12:00:00.000Z", ["total": 200])
            // P2: the checkout's value (300) and what was added after it (3 × 20), never ordered: abandoned, 360.
            try await shop.track("Product Added", of: p2, at: "2026-03-03T10:00:00.000Z", ["price": 50])
            try await shop.track("Checkout Started", of: p2, at: "2026-03-03T10:05:00.000Z", ["value": 300])
            try await shop.track("Product Added", of: p2, at: "2026-03-03T10:10:00.000Z", ["price": 20, "quantity": 3])
            // P3: a checkout without a value is worth its products (2 × 40 + 5); ordered two days later:
            // abandoned, then recovered.
            try await shop.track("Product Added", of: p3, at: "2026-03-04T10:00:00.000Z", ["price": 10])
            try await shop.track("Checkout Started", of: p3, at: "2026-03-04T10:01:00.000Z", [
                "products": .array([["price": 40, "quantity": 2], ["price": 5]]),
            ])
            try await shop.track("Order Completed", of: p3, at: "2026-03-06T10:00:00.000Z", ["total": 85])
            // P4: its window has not passed at `now`: pending.
            try await shop.track("Product Added", of: p4, at: "2026-03-07T20:00:00.000Z", ["price": 70])
            // P5: a cart begun before the period and last added to in it: abandoned, 15 + 25.
            try await shop.track("Product Added", of: p5, at: "2026-02-28T23:00:00.000Z", ["price": 15])
            try await shop.track("Product Added", of: p5, at: "2026-03-01T01:00:00.000Z", ["price": 25])
            // P6: last added to after the period: a cart of the next one.
            try await shop.track("Product Added", of: p6, at: "2026-03-07T23:00:00.000Z", ["price": 99])
            try await shop.track("Product Added", of: p6, at: "2026-03-08T01:00:00.000Z", ["price": 99])
            // P7: an addition at the very time of an order is closed by it: converted.
            try await shop.track("Product Added", of: p7, at: "2026-03-02T09:00:00.000Z", ["price": 30])
            try await shop.track("Order Completed", of: p7, at: "2026-03-02T09:00:00.000Z", ["total": 30])
            let other = try await ReportFixture(database: database)
            try await other.track("Product Added", of: try await other.profile(), at: "2026-03-02T10:00:00.000Z", ["price": 1000])

            let period = ReportFixture.period("2026-03-01T00:00:00.000Z", "2026-03-08T00:00:00.000Z")
            let report = try await shop.run { connection in
                try await CartAbandonmentReport.run(
                    period, now: ReportFixture.date("2026-03-08T12:00:00.000Z"), workspaceID: shop.workspaceID, on: connection,
                    logger: ReportFixture.logger
                )
            }
            #expect([report.carts, report.converted, report.abandoned, report.pending, report.recovered] == [6, 2, 3, 1, 1] as [Int])
            #expect(report.abandonmentRate == 0.6)
            #expect(report.abandonedValue == 485)
            #expect(report.recoveredValue == 85)
            #expect(report.recoveryRate == 1.0 / 3.0)
            #expect(report.table.rows == [["6", "2", "3", "1", "0.6", "485.00", "1", "85.00", String(1.0 / 3.0)]])
        }
    }

    @Test func aPeriodWithoutCartsHasNoRates() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ReportFixture(database: database)
            let period = ReportFixture.period("2026-03-01T00:00:00.000Z", "2026-03-08T00:00:00.000Z")
            let report = try await shop.run { connection in
                try await CartAbandonmentReport.run(period, workspaceID: shop.workspaceID, on: connection, logger: ReportFixture.logger)
            }
            #expect(report.carts == 0)
            #expect(report.abandonmentRate == nil)
            #expect(report.recoveryRate == nil)
            #expect(String(decoding: try JSONCoding.encoder().encode(report), as: UTF8.self).contains(#""abandonmentRate":null"#))
        }
    }
}
