import Foundation
import KinshipCore
import KinshipTestSupport
import Testing
@testable import ReportingService

struct SupportReportTests {
    @Test func countsTicketsOpenedAndResolvedInThePeriodWithResolutionPercentilesPerCategoryAndChannel() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ReportFixture(database: database)
            let person = try await shop.profile()
            func ticket(_ event: String, _ id: String, _ time: String, _ category: String = "", _ channel: String = "") async throws {
                var properties: [String: JSONValue] = ["ticket_id": .string(id)]
                if !category.isEmpty { properties["category"] = .string(category) }
                if !channel.isEmpty { properties["channel"] = .string(channel) }
                try await shop.track(event, of: person, at: time, properties)
            }
            // T1: resolved twice, the latest counts: 4 hours.
            try await ticket("Ticket Opened", "T1", "2026-03-02T10:00:00.000Z", "delivery", "line")
            try await ticket("Ticket Resolved", "T1", "2026-03-02T12:00:00.000Z")
            try await ticket("Ticket Resolved", "T1", "2026-03-02T14:00:00.000Z")
            // T2: 1 hour.
            try await ticket("Ticket Opened", "T2", "2026-03-03T10:00:00.000Z", "refund", "line")
            try await ticket("Ticket Resolved", "T2", "2026-03-03T11:00:00.000Z")
            // T3: still open.
            try await ticket("Ticket Opened", "T3", "2026-03-04T10:00:00.000Z", "delivery", "email")
            // T4: opened before the period, resolved in it: 48 hours.
            try await ticket("Ticket Opened", "T4", "2026-02-27T10:00:00.000Z", "delivery", "phone")
            try await ticket("Ticket Resolved", "T4", "2026-03-01T10:00:00.000Z")
            // T5: resolved after the period.
            try await ticket("Ticket Opened", "T5", "2026-03-06T10:00:00.000Z", "refund", "chat")
            try await ticket("Ticket Resolved", "T5", "2026-03-09T10:00:00.000Z")
            // T6: a resolution without an opening is no ticket.
            try await ticket("Ticket Resolved", "T6", "2026-03-05T10:00:00.000Z")
            // T7: opened twice, the earliest describes it; resolved before it was opened: 0 hours.
            try await ticket("Ticket Opened", "T7", "2026-03-05T10:00:00.000Z", "payment", "chat")
            try await ticket("Ticket Opened", "T7", "2026-03-05T09:00:00.000Z", "account", "phone")
            try await ticket("Ticket Resolved", "T7", "2026-03-05T08:00:00.000Z")
            let other = try await ReportFixture(database: database)
            try await other.track("Ticket Opened", of: try await other.profile(), at: "2026-03-02T10:00:00.000Z", ["ticket_id": "T1", "category": "delivery"])

            let period = ReportFixture.period("2026-03-01T00:00:00.000Z", "2026-03-08T00:00:00.000Z")
            let report = try await shop.run { connection in
                try await SupportReport.run(period, workspaceID: shop.workspaceID, on: connection, logger: ReportFixture.logger)
            }
            // Resolved in the period: 0, 1, 4 and 48 hours; percentiles interpolate between the two nearest.
            Self.expect(report.total, "(total)", opened: 5, resolved: 4, median: 2.5, p90: 4 + 0.7 * 44)
            #expect(report.categories.map(\.value) == ["delivery", "refund", "account"])
            Self.expect(report.categories[0], "delivery", opened: 2, resolved: 2, median: 26, p90: 4 + 0.9 * 44)
            Self.expect(report.categories[1], "refund", opened: 2, resolved: 1, median: 1, p90: 1)
            Self.expect(report.categories[2], "account", opened: 1, resolved: 1, median: 0, p90: 0)
            #expect(report.channels.map(\.value) == ["line", "chat", "email", "phone"])
            Self.expect(report.channels[0], "line", opened: 2, resolved: 2, median: 2.5, p90: 1 + 0.9 * 3)
            Self.expect(report.channels[1], "chat", opened: 1, resolved: 0, median: nil, p90: nil)
            Self.expect(report.channels[2], "email", opened: 1, resolved: 0, median: nil, p90: nil)
            Self.expect(report.channels[3], "phone", opened: 1, resolved: 2, median: 24, p90: 0.9 * 48)
            #expect(report.table.rows.count == 1 + 3 + 4)
        }
    }

    static func expect(
        _ group: SupportReportView.Group, _ value: String, opened: Int, resolved: Int, median: Double?, p90: Double?,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(group.value == value, sourceLocation: sourceLocation)
        #expect(group.opened == opened, sourceLocation: sourceLocation)
        #expect(group.resolved == resolved, sourceLocation: sourceLocation)
        #expect(close(group.medianResolutionHours, median), "median \(String(describing: group.medianResolutionHours))", sourceLocation: sourceLocation)
        #expect(close(group.p90ResolutionHours, p90), "p90 \(String(describing: group.p90ResolutionHours))", sourceLocation: sourceLocation)
    }

    /// Equal, or both nil, up to the rounding of interpolation in floating point.
    static func close(_ actual: Double?, _ expected: Double?) -> Bool {
        switch (actual, expected) {
        case (nil, nil): true
        case let (actual?, expected?): abs(actual - expected) < 1e-9
        default: false
        }
    }
}
