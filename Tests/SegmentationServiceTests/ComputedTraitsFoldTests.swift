import Foundation
import KinshipCore
import SegmentationService
import Testing

/// The fold's promises: the order of arrival does not matter, and merging two profiles equals one profile
/// given both sets of events.
@Suite struct ComputedTraitsFoldTests {
    /// A mixed history over 40 days: orders with a cancellation and a refund, carts before and after the
    /// last order, views on two devices, e-mails, surveys, reviews and tickets.
    static func history() throws -> [ActivityEvent] {
        var events = try ComputedTraitsPurchaseTests.orders()
        events += [
            try TraitFixture.track("c1", "Product Added", "2026-05-19T09:00:00Z", ComputedTraitsCartTests.added),
            try TraitFixture.track("c2", "Product Added", "2026-05-28T09:00:00Z", ComputedTraitsCartTests.added),
            try TraitFixture.track("c3", "Checkout Started", "2026-05-28T09:10:00Z", #"{"value": 600}"#),
            try TraitFixture.track("d1", "Email Delivered", "2026-05-05T10:00:00Z"),
            try TraitFixture.track("d2", "Email Delivered", "2026-05-12T10:00:00Z"),
            try TraitFixture.track("o1", "Email Opened", "2026-05-12T12:00:00Z"),
            try TraitFixture.track("s1", "Survey Responded", "2026-05-09T10:00:00Z", #"{"nps_score": 9}"#),
            try TraitFixture.track("s2", "Survey Responded", "2026-05-27T10:00:00Z", #"{"nps_score": 7}"#),
            try TraitFixture.track("r1", "Product Reviewed", "2026-05-22T10:00:00Z", #"{"rating": 4}"#),
            try TraitFixture.track("t1", "Ticket Opened", "2026-05-21T10:00:00Z", #"{"ticket_id": "T1", "category": "refund", "channel": "line"}"#),
            try TraitFixture.track("t2", "Ticket Resolved", "2026-05-21T16:00:00Z", #"{"ticket_id": "T1"}"#),
        ]
        for day in stride(from: 1, through: 31, by: 3) {
            let date = "2026-05-\(day < 10 ? "0" : "")\(day)"
            events.append(TraitFixture.view("vp\(day)", date + "T08:00:00Z", device: "phone", campaign: day % 2 == 0 ? ("google", "cpc") : nil))
            events.append(TraitFixture.view("vq\(day)", date + "T08:20:00Z", device: "phone"))
            events.append(TraitFixture.view("vl\(day)", date + "T20:00:00Z", device: "laptop", campaign: ("line", "social")))
        }
        events.append(TraitFixture.view("old", "2026-04-20T08:00:00Z", device: "laptop"))
        return events
    }

    static let moments = ["2026-05-28T12:00:00Z", "2026-05-30T12:00:00Z", "2026-06-01T12:00:00Z", "2026-06-25T12:00:00Z"]

    @Test func theTraitsDoNotDependOnTheOrderEventsArriveIn() throws {
        let events = try Self.history()
        var generator = SplitMix(seed: 7)
        for _ in 0..<20 {
            let shuffled = events.shuffled(using: &generator)
            for now in Self.moments {
                #expect(TraitFixture.traits(shuffled, now: now) == TraitFixture.traits(events, now: now))
            }
        }
    }

    @Test func mergingTwoProfilesEqualsOneProfileGivenAllTheirEvents() throws {
        let events = try Self.history()
        var generator = SplitMix(seed: 11)
        for _ in 0..<20 {
            let shuffled = events.shuffled(using: &generator)
            let cut = Int(generator.next() % UInt64(shuffled.count + 1))
            var merged = TraitFixture.fold(Array(shuffled[..<cut]))
            merged.merge(TraitFixture.fold(Array(shuffled[cut...])))
            for now in Self.moments {
                #expect(merged.traits(now: TraitFixture.time(now)) == TraitFixture.traits(events, now: now))
            }
        }
    }

    @Test func theHistoryGivesTheTraitsWorkedOutByHand() throws {
        let traits = TraitFixture.traits(try Self.history(), now: "2026-06-01T12:00:00Z")
        #expect(traits["order_count"] == .number(2))
        #expect(traits["revenue"] == .number(1200.50))
        // c1 came before order C (20 May) and is closed; c2 + c3 form the open cart: the checkout's 600.
        #expect(traits["last_cart_value"] == .number(600))
        #expect(traits["abandoned_cart"] == .bool(true))
        #expect(traits["nps_score"] == .number(7))
        #expect(traits["nps_category"] == .string("passive"))
        #expect(traits["email_open_rate"] == .number(0.5))
        // Views within (2 May 12:00, 1 June 12:00]: days 4, 7, …, 31: ten days of one phone and one laptop session.
        #expect(traits["sessions_30d"] == .number(20))
        #expect(traits["page_views_30d"] == .number(30))
        #expect(traits["top_session_channel"] == .string("line/social"))
    }
}

/// A small seeded generator, so a failing shuffle can be replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
