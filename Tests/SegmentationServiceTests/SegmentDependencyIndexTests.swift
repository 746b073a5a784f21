import Foundation
import KinshipCore
import KinshipTestSupport
import Testing
@testable import SegmentationService

/// The index from a changed field to the segments to evaluate again: a profile's evaluation answers only
/// the segments that read something that changed since its last one, and the others keep their answers.
struct SegmentDependencyIndexTests {
    static let day: TimeInterval = 86_400

    @Test func onlySegmentsReadingWhatChangedAreEvaluatedAgain() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await EvaluatorFixture(database: database)
            let person = try await shop.profile()
            let start = Date()
            try await shop.track("Order Completed", of: person, at: start - Self.day, properties: ["order_id": "o-1", "total": 500])
            let gold = try await shop.createSegment("Gold plan", #"{"trait": "plan", "op": "eq", "value": "gold"}"#)
            let tickets = try await shop.createSegment("Opened a ticket", #"{"event": "Ticket Opened"}"#)
            let repeat_ = try await shop.createSegment("Repeat buyers", #"{"computed": "order_count", "op": "gte", "value": 2}"#)
            let now = Date() + 1

            let first = try await shop.evaluate([person], now: now)
            #expect(first.segmentsEvaluated == 3, "the first evaluation answers every segment")

            // A product view changes computed traits (last seen) that none of the three reads.
            try await shop.track("Product Viewed", of: person, at: now, properties: ["product_id": "p-1"])
            let viewed = try await shop.evaluate([person], now: now + 1)
            #expect(viewed.segmentsEvaluated == 0)
            #expect(viewed.segmentsUnaffected == 3)

            try await shop.track("Ticket Opened", of: person, at: now + 2, properties: ["ticket_id": "t-1"])
            let opened = try await shop.evaluate([person], now: now + 3)
            #expect(opened.segmentsEvaluated == 1)
            #expect(opened.entered == 1)
            #expect(try await shop.members(tickets) == [person])

            try await shop.track("Order Completed", of: person, at: now + 4, properties: ["order_id": "o-2", "total": 700])
            let ordered = try await shop.evaluate([person], now: now + 5)
            #expect(ordered.segmentsEvaluated == 1, "order_count changed; the ticket events and traits did not")
            #expect(try await shop.members(repeat_) == [person])
            #expect(try await shop.members(gold).isEmpty)
            // A segment that was not evaluated again kept its member.
            #expect(try await shop.members(tickets) == [person])
        }
    }

    @Test func aSegmentThatTimeChangesBringsEveryonesNextCheckForward() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await EvaluatorFixture(database: database)
            let person = try await shop.profile()
            let start = Date()
            try await shop.track("Product Added", of: person, at: start - 3600, properties: ["price": 100, "quantity": 1])
            try await shop.evaluate([person], now: start)
            let cartCheck = try #require(try await shop.nextCheck(person), "the cart becomes abandoned 24 h after it was added to")

            let created = start + 60
            let recent = try await shop.createSegment("Added in the last day", #"{"event": "Product Added", "within_days": 1}"#, now: created)
            #expect(try await shop.members(recent) == [person])
            let broughtForward = try #require(try await shop.nextCheck(person))
            #expect(abs(broughtForward.timeIntervalSince(created)) < 0.01, "the stored check did not know the new segment")

            // Evaluated when due, it stores when the new segment's answer changes: the event leaving the window.
            let due = try await shop.evaluate([person], now: created + 1)
            #expect(due.segmentsEvaluated == 1)
            let leaves = start - 3600 + Self.day
            let next = try #require(try await shop.nextCheck(person))
            #expect(abs(next.timeIntervalSince(min(leaves, cartCheck))) < 0.01)
            #expect(try await shop.members(recent) == [person])
        }
    }
}
