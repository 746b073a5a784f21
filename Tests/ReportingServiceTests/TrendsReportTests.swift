import Foundation
import KinshipCore
import KinshipTestSupport
import PostgresNIO
import Testing
@testable import ReportingService

struct TrendsReportTests {
    static let period = ReportFixture.period("2026-03-02T00:00:00.000Z", "2026-03-05T00:00:00.000Z")
    static let days = ["2026-03-02", "2026-03-03", "2026-03-04"].map { ReportFixture.date($0 + "T00:00:00.000Z") }

    static func shop(_ database: PostgresClient) async throws -> ReportFixture {
        let shop = try await ReportFixture(database: database)
        let person = try await shop.profile()
        for (time, channel) in [("2026-03-02T01:00:00.000Z", "web"), ("2026-03-02T02:00:00.000Z", "web"), ("2026-03-02T23:59:59.999Z", "app"),
                                ("2026-03-04T00:00:00.000Z", "pos"), ("2026-03-05T00:00:00.000Z", "web")] {
            try await shop.track("Order Completed", of: person, at: time, ["channel": .string(channel)])
        }
        try await shop.track("Order Completed", of: person, at: "2026-03-04T10:00:00.000Z")
        try await shop.page(of: nil, at: "2026-03-04T11:00:00.000Z")
        let other = try await ReportFixture(database: database)
        try await other.track("Order Completed", of: try await other.profile(), at: "2026-03-02T10:00:00.000Z", ["channel": "web"])
        return shop
    }

    @Test func countsOneEventPerDaySplitByAPropertyIncludingDaysWithout() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await Self.shop(database)
            let report = try await shop.run { connection in
                try await TrendsReport.run(
                    Self.period, interval: .day, event: "Order Completed", breakdownProperty: "channel", workspaceID: shop.workspaceID,
                    on: connection, logger: ReportFixture.logger
                )
            }
            #expect(report.intervals == Self.days)
            #expect(report.series.map(\.value) == ["web", "(none)", "app", "pos"])
            #expect(report.series.map(\.counts) == [[2, 0, 0], [0, 0, 1], [1, 0, 0], [0, 0, 1]])
            #expect(report.table.columns == ["starts", "web", "(none)", "app", "pos"])
            #expect(report.table.rows[0] == ["2026-03-02T00:00:00.000Z", "2", "0", "1", "0"])
        }
    }

    @Test func countsEveryEventWithoutAFilterAndGivesZerosForAnEmptyWorkspace() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await Self.shop(database)
            let all = try await shop.run { connection in
                try await TrendsReport.run(Self.period, interval: .day, workspaceID: shop.workspaceID, on: connection, logger: ReportFixture.logger)
            }
            #expect(all.series == [TrendsReportView.Series(value: "(all)", counts: [3, 0, 3])])
            let empty = try await ReportFixture(database: database)
            let nothing = try await empty.run { connection in
                try await TrendsReport.run(Self.period, interval: .day, workspaceID: empty.workspaceID, on: connection, logger: ReportFixture.logger)
            }
            #expect(nothing.intervals == Self.days)
            #expect(nothing.series == [TrendsReportView.Series(value: "(all)", counts: [0, 0, 0])])
        }
    }
}
