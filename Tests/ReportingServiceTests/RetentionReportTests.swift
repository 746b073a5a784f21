import Foundation
import KinshipCore
import KinshipTestSupport
import Testing
@testable import ReportingService

struct RetentionReportTests {
    @Test func followsEachWeeksNewProfilesThroughTheWeeksAfter() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ReportFixture(database: database)
            var people: [UUID] = []
            for _ in 0..<7 { people.append(try await shop.profile()) }
            let (a, b, c, d, e, f, g) = (people[0], people[1], people[2], people[3], people[4], people[5], people[6])
            // Week of 2 March: A (back in week 2) and B (back in week 3).
            try await shop.page(of: a, at: "2026-03-03T10:00:00.000Z")
            try await shop.page(of: a, at: "2026-03-10T10:00:00.000Z")
            try await shop.page(of: b, at: "2026-03-04T10:00:00.000Z")
            try await shop.track("Product Viewed", of: b, at: "2026-03-17T10:00:00.000Z")
            // Week of 9 March: C, seen twice that week and again in week 3.
            try await shop.page(of: c, at: "2026-03-11T10:00:00.000Z")
            try await shop.page(of: c, at: "2026-03-12T10:00:00.000Z")
            try await shop.page(of: c, at: "2026-03-18T10:00:00.000Z")
            // D was first seen before the period: in no cohort.
            try await shop.page(of: d, at: "2026-02-20T10:00:00.000Z")
            try await shop.page(of: d, at: "2026-03-03T10:00:00.000Z")
            // E got an e-mail before the period (the mail service's doing) and first came in week 3.
            try await shop.track("Email Delivered", of: e, at: "2026-02-25T10:00:00.000Z")
            try await shop.page(of: e, at: "2026-03-16T10:00:00.000Z")
            // F was only ever mailed; G came at the period's end.
            try await shop.track("Email Delivered", of: f, at: "2026-03-03T10:00:00.000Z")
            try await shop.page(of: g, at: "2026-03-23T00:00:00.000Z")
            let other = try await ReportFixture(database: database)
            try await other.page(of: try await other.profile(), at: "2026-03-03T10:00:00.000Z")

            let period = ReportFixture.period("2026-03-02T00:00:00.000Z", "2026-03-23T00:00:00.000Z")
            let report = try await shop.run { connection in
                try await RetentionReport.run(period, interval: .week, workspaceID: shop.workspaceID, on: connection, logger: ReportFixture.logger)
            }
            #expect(report.cohorts.map(\.starts) == ["2026-03-02", "2026-03-09", "2026-03-16"].map { ReportFixture.date($0 + "T00:00:00.000Z") })
            #expect(report.cohorts.map(\.profiles) == [2, 1, 1])
            #expect(report.cohorts.map(\.returning) == [[2, 1, 1], [1, 1], [1]])
            #expect(report.cohorts.map(\.rates) == [[1, 0.5, 0.5], [1, 1], [1]])
            #expect(report.table.rows[1] == ["2026-03-09T00:00:00.000Z", "1", "1.0", "1.0", ""])
        }
    }

    @Test func cohortAndReturnEventsNarrowWhoStartsAndWhoComesBack() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ReportFixture(database: database)
            let (a, b, c) = (try await shop.profile(), try await shop.profile(), try await shop.profile())
            // A signs up in week 1 and orders in weeks 1 and 3; B signs up in week 1 and never orders; C browses
            // in week 1 and signs up in week 2, ordering that week.
            try await shop.track("Signed Up", of: a, at: "2026-03-03T10:00:00.000Z")
            try await shop.track("Order Completed", of: a, at: "2026-03-04T10:00:00.000Z")
            try await shop.track("Order Completed", of: a, at: "2026-03-17T10:00:00.000Z")
            try await shop.track("Signed Up", of: b, at: "2026-03-05T10:00:00.000Z")
            try await shop.page(of: b, at: "2026-03-10T10:00:00.000Z")
            try await shop.page(of: c, at: "2026-03-03T10:00:00.000Z")
            try await shop.track("Signed Up", of: c, at: "2026-03-11T10:00:00.000Z")
            try await shop.track("Order Completed", of: c, at: "2026-03-12T10:00:00.000Z")

            let period = ReportFixture.period("2026-03-02T00:00:00.000Z", "2026-03-23T00:00:00.000Z")
            let report = try await shop.run { connection in
                try await RetentionReport.run(
                    period, interval: .week, cohortEvent: "Signed Up", returnEvent: "Order Completed", workspaceID: shop.workspaceID,
                    on: connection, logger: ReportFixture.logger
                )
            }
            #expect(report.cohorts.map(\.profiles) == [2, 1, 0])
            #expect(report.cohorts.map(\.returning) == [[1, 0, 1], [1, 0], [0]])
            #expect(report.cohorts[0].rates == [0.5, 0, 0.5])
        }
    }

    @Test func aWeekWithoutNewProfilesHasNullRates() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ReportFixture(database: database)
            let period = ReportFixture.period("2026-03-02T00:00:00.000Z", "2026-03-16T00:00:00.000Z")
            let report = try await shop.run { connection in
                try await RetentionReport.run(period, interval: .week, workspaceID: shop.workspaceID, on: connection, logger: ReportFixture.logger)
            }
            #expect(report.cohorts.map(\.returning) == [[0, 0], [0]])
            #expect(report.cohorts.map(\.rates) == [[nil, nil], [nil]])
            let json = String(decoding: try JSONCoding.encoder().encode(report.cohorts[1]), as: UTF8.self)
            #expect(json.contains(#""rates":[null]"#))
        }
    }
}
