import Foundation
import KinshipCore
import KinshipTestSupport
import Testing
@testable import ReportingService

struct NPSReportTests {
    @Test func scoresEveryResponseOfEachWeekIncludingWeeksWithout() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ReportFixture(database: database)
            let (ann, ben) = (try await shop.profile(), try await shop.profile())
            func respond(_ profile: UUID, _ time: String, _ score: JSONValue) async throws {
                try await shop.track("Survey Responded", of: profile, at: time, ["nps_score": score])
            }
            try await respond(ann, "2026-03-03T12:00:00.000Z", 10)  // before the period
            // The week of Monday 2 March, from Wednesday 4: 2 promoters, 1 passive, 1 detractor → 25.
            try await respond(ann, "2026-03-04T00:00:00.000Z", 9)
            try await respond(ben, "2026-03-05T12:00:00.000Z", 10)
            try await respond(ann, "2026-03-06T12:00:00.000Z", 6)
            try await respond(ben, "2026-03-08T23:59:59.999Z", 7)
            // The week of 9 March: nobody. The week of 16 March: one person twice, both heard → −50;
            // a score out of range and a score as text are not responses.
            try await respond(ann, "2026-03-16T08:00:00.000Z", 0)
            try await respond(ann, "2026-03-16T09:00:00.000Z", 8)
            try await respond(ben, "2026-03-16T10:00:00.000Z", 11)
            try await respond(ben, "2026-03-16T11:00:00.000Z", "9")
            try await respond(ben, "2026-03-18T00:00:00.000Z", 10)  // at the period's end
            let other = try await ReportFixture(database: database)
            try await other.track("Survey Responded", of: try await other.profile(), at: "2026-03-05T12:00:00.000Z", ["nps_score": 0])

            let period = ReportFixture.period("2026-03-04T00:00:00.000Z", "2026-03-18T00:00:00.000Z")
            let report = try await shop.run { connection in
                try await NPSReport.run(period, interval: .week, workspaceID: shop.workspaceID, on: connection, logger: ReportFixture.logger)
            }
            #expect(report.intervals.map(\.starts) == ["2026-03-02", "2026-03-09", "2026-03-16"].map { ReportFixture.date($0 + "T00:00:00.000Z") })
            #expect(report.intervals.map(\.responses) == [4, 0, 2])
            #expect(report.intervals.map(\.promoters) == [2, 0, 0])
            #expect(report.intervals.map(\.passives) == [1, 0, 1])
            #expect(report.intervals.map(\.detractors) == [1, 0, 1])
            #expect(report.intervals.map(\.score) == [25, nil, -50])
            #expect(report.total.responses == 6)
            #expect(report.total.score == 0)
            let json = String(decoding: try JSONCoding.encoder().encode(report.intervals[1]), as: UTF8.self)
            #expect(json.contains(#""score":null"#))
        }
    }

    @Test func cutsMonthsAndDaysOnUTCBoundaries() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ReportFixture(database: database)
            let ann = try await shop.profile()
            try await shop.track("Survey Responded", of: ann, at: "2026-01-31T23:59:59.000Z", ["nps_score": 10])
            try await shop.track("Survey Responded", of: ann, at: "2026-02-01T00:00:00.000Z", ["nps_score": 3])
            let period = ReportFixture.period("2026-01-15T00:00:00.000Z", "2026-02-10T00:00:00.000Z")
            let months = try await shop.run { connection in
                try await NPSReport.run(period, interval: .month, workspaceID: shop.workspaceID, on: connection, logger: ReportFixture.logger)
            }
            #expect(months.intervals.map(\.starts) == [ReportFixture.date("2026-01-01T00:00:00.000Z"), ReportFixture.date("2026-02-01T00:00:00.000Z")])
            #expect(months.intervals.map(\.score) == [100, -100])
            let days = try await shop.run { connection in
                try await NPSReport.run(period, interval: .day, workspaceID: shop.workspaceID, on: connection, logger: ReportFixture.logger)
            }
            #expect(days.intervals.count == 26)
            #expect(days.intervals.filter { $0.responses > 0 }.map(\.starts) == [
                ReportFixture.date("2026-01-31T00:00:00.000Z"), ReportFixture.date("2026-02-01T00:00:00.000Z"),
            ])
        }
    }
}
