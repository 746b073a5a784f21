import Foundation
import KinshipCore
import KinshipTestSupport
import Testing
@testable import ReportingService

struct RFMReportTests {
    static func scores(_ recency: Int, _ frequency: Int, _ group: String, revenue: Double) -> [String: JSONValue] {
        [
            "order_count": 1, "revenue": .number(revenue), "rfm_recency": .number(Double(recency)), "rfm_frequency": .number(Double(frequency)),
            "rfm_monetary": 3, "rfm_score": .string("\(recency)\(frequency)3"), "rfm_group": .string(group),
        ]
    }

    @Test func placesLiveScoredBuyersOnTheGridAndInTheirGroups() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ReportFixture(database: database)
            let (a, b, c, d, e, f) = (
                try await shop.profile(), try await shop.profile(), try await shop.profile(), try await shop.profile(), try await shop.profile(),
                try await shop.profile()
            )
            try await shop.computed(a, Self.scores(5, 5, "Champions", revenue: 1000))
            try await shop.computed(b, Self.scores(5, 5, "Champions", revenue: 500.25))
            try await shop.computed(c, Self.scores(1, 1, "Lost", revenue: 100))
            try await shop.computed(d, Self.scores(3, 2, "About to Sleep", revenue: 200))
            // A profile merged away keeps its row until segmentation drops it; one without orders has no scores.
            try await shop.computed(e, Self.scores(1, 1, "Lost", revenue: 999))
            try await shop.merge(e, into: a)
            try await shop.computed(f, ["order_count": 0, "revenue": 0])
            let other = try await ReportFixture(database: database)
            try await other.computed(try await other.profile(), Self.scores(5, 5, "Champions", revenue: 7000))

            let report = try await shop.run { connection in
                try await RFMReport.run(workspaceID: shop.workspaceID, on: connection, logger: ReportFixture.logger)
            }
            #expect(report.grid.count == 25)
            #expect(report.grid.map(\.profiles).reduce(0, +) == 4)
            func cell(_ recency: Int, _ frequency: Int) -> RFMReportView.Cell { report.grid[(recency - 1) * 5 + frequency - 1] }
            #expect(cell(5, 5) == RFMReportView.Cell(recency: 5, frequency: 5, profiles: 2, revenue: 1500.25))
            #expect(cell(1, 1) == RFMReportView.Cell(recency: 1, frequency: 1, profiles: 1, revenue: 100))
            #expect(cell(3, 2) == RFMReportView.Cell(recency: 3, frequency: 2, profiles: 1, revenue: 200))
            #expect(cell(2, 4) == RFMReportView.Cell(recency: 2, frequency: 4, profiles: 0, revenue: 0))
            #expect(report.groups == [
                RFMReportView.Group(name: "Champions", profiles: 2, revenue: 1500.25),
                RFMReportView.Group(name: "About to Sleep", profiles: 1, revenue: 200),
                RFMReportView.Group(name: "Lost", profiles: 1, revenue: 100),
            ])
            #expect(report.table.rows.last == ["group", "", "", "Lost", "1", "100.00"])
        }
    }
}
