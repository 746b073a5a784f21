import Foundation
import KinshipCore
@testable import KinshipDemoShop
import SegmentationService
import Testing

/// The computed traits of every customer of a generated shop, folded from the messages the shop sends
/// (retries and late events included) and its point-of-sale rows, against the shop's ground truth.
@Suite struct ComputedTraitsShopTests {
    static let parameters = DemoParameters(customers: 300, days: 60, seed: 5, endDay: DemoCalendar.days(year: 2026, month: 12, day: 1))

    /// Each person's events: messages with their user id or from a device only they used, and their
    /// store purchases (matched by receipt id to the orders of their truth).
    static func eventsPerPerson(of household: DemoHousehold) throws -> [(truth: PersonTruth, events: [ActivityEvent])] {
        let messages = try household.messages.map { try JSONValue.parse($0.json) }
        let rows = household.posRows.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = DemoShop.posHeader.split(separator: ",").map(String.init)
        let column = { (name: String) in header.firstIndex(of: name)! }
        return try household.people.map { truth in
            let devices = Set(truth.anonymousIds)
            var events = try messages.filter { message in
                if let userId = truth.userId, message["userId"]?.stringValue == userId { return true }
                return message["userId"]?.stringValue == nil && message["anonymousId"]?.stringValue.map(devices.contains) == true
            }.map { message in
                try #require(ActivityEvent(message: message), "unreadable message \(message)")
            }
            let receipts = Set(truth.orders.filter { $0.channel == "pos" }.map(\.orderId))
            for row in rows where receipts.contains(row[column("order_id")]) {
                events.append(ActivityEvent(
                    messageId: row[column("receipt_id")], type: .track, event: row[column("event")],
                    timestamp: try #require(Timestamp.parse(row[column("purchased_at")])),
                    properties: .object([
                        "order_id": .string(row[column("order_id")]), "channel": .string(row[column("channel")]),
                        "total": .number(try #require(Double(row[column("total")]))),
                    ])
                ))
            }
            return (truth, events)
        }
    }

    @Test func everyCustomersTraitsEqualTheGroundTruth() throws {
        let shop = DemoShop(Self.parameters)
        let now = Date(timeIntervalSince1970: Double(DemoCalendar.days(year: 2026, month: 12, day: 2)) * 86_400)
        var checked = 0, buyers = 0, surveyed = 0, mailed = 0, duplicates = 0, undone = 0
        for household in shop {
            for (truth, events) in try Self.eventsPerPerson(of: household) {
                var activity = ProfileActivity()
                for event in events { activity.apply(event) }
                duplicates += events.count - Set(events.map(\.messageId)).count
                let traits = activity.traits(now: now)
                let standing = truth.orders.filter { !$0.cancelled }
                let revenue = standing.reduce(0) { $0 + $1.totalSatang - $1.refundedSatang }
                let who = Comment(rawValue: truth.person)
                undone += truth.orders.count { $0.cancelled || $0.refundedSatang > 0 }

                #expect(traits["order_count"] == .number(Double(standing.count)), who)
                #expect(traits["revenue"] == .number(Double(revenue) / 100), who)
                if standing.isEmpty {
                    #expect(traits["average_order_value"] == nil, who)
                } else {
                    buyers += 1
                    let average = try #require(traits["average_order_value"]?.numberValue)
                    #expect(abs(average * Double(standing.count) - Double(revenue) / 100) < 0.01 * Double(standing.count), who)
                    #expect(traits["first_order_at"] == .string(Self.iso(standing.map(\.at).min()!)), who)
                    #expect(traits["last_order_at"] == .string(Self.iso(standing.map(\.at).max()!)), who)
                }
                if let nps = truth.latestNps {
                    surveyed += 1
                    #expect(traits["nps_score"] == .number(Double(nps.score)), who)
                } else {
                    #expect(traits["nps_score"] == nil, who)
                }
                #expect(traits["survey_count"] == .number(Double(truth.surveys)), who)
                if truth.emailsDelivered > 0 { mailed += 1 }
                #expect(traits["emails_delivered"] == .number(Double(truth.emailsDelivered)), who)
                #expect(traits["emails_opened"] == .number(Double(truth.emailsOpened)), who)
                #expect(traits["emails_clicked"] == .number(Double(truth.emailsClicked)), who)
                #expect(traits["emails_bounced"] == .number(Double(truth.emailsBounced)), who)
                #expect(traits["unsubscribed"] == .bool(truth.unsubscribed), who)
                #expect(traits["review_count"] == .number(Double(truth.reviews)), who)
                if truth.reviews > 0 {
                    #expect(traits["average_review_rating"] == .number(Double(truth.reviewRatingSum) / Double(truth.reviews)), who)
                }
                #expect(traits["tickets_opened"] == .number(Double(truth.tickets.count)), who)
                #expect(traits["tickets_resolved"] == .number(Double(truth.tickets.count { $0.resolvedAt != nil })), who)
                if let last = truth.tickets.max(by: { $0.openedAt < $1.openedAt }) {
                    #expect(traits["last_ticket_category"] == .string(last.category), who)
                }
                checked += 1
            }
        }
        // The shop must exercise what is checked, retries included.
        #expect(checked == 300)
        #expect(buyers > 50)
        #expect(surveyed > 10)
        #expect(mailed > 100)
        #expect(duplicates > 0)
        #expect(undone > 0)
    }

    static func iso(_ milliseconds: Int64) -> String {
        DemoCalendar.isoText(milliseconds)
    }
}
