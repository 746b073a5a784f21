import Foundation
import KinshipCore
import SegmentationService
import Testing

/// The moment at which time alone next changes an answer: checked against moments worked out by hand,
/// and by evaluating again just before and at that moment.
struct SegmentNextChangeTests {
    func expectChange(_ text: String, _ subject: SegmentSubject, from matches: Bool, at moment: String?) throws {
        let answer = try SegmentFixture.evaluate(text, subject)
        #expect(answer.matches == matches)
        guard let moment else {
            #expect(answer.nextChange == nil)
            return
        }
        let due = SegmentFixture.time(moment)
        #expect(answer.nextChange == due)
        #expect(try SegmentFixture.matches(text, subject, now: due.addingTimeInterval(-1)) == matches)
        #expect(try SegmentFixture.matches(text, subject, now: due) == !matches)
    }

    let signedUp = SegmentSubject(traits: ["signed_up_at": .string("2026-05-20T08:00:00Z"), "age": .number(34)])

    @Test func aTimestampWithinDaysLeavesWhenItsWindowEnds() throws {
        try expectChange(#"{"trait": "signed_up_at", "op": "within_days", "value": 30}"#, signedUp, from: true, at: "2026-06-19T08:00:00Z")
        try expectChange(#"{"trait": "signed_up_at", "op": "within_days", "value": 10}"#, signedUp, from: false, at: nil)
        let future = SegmentSubject(traits: ["renews_at": .string("2026-06-10T00:00:00+07:00")])
        try expectChange(#"{"trait": "renews_at", "op": "within_days", "value": 30}"#, future, from: false, at: "2026-06-09T17:00:00Z")
    }

    @Test func aTimestampBeforeDaysAgoEntersWhenItIsOldEnough() throws {
        try expectChange(#"{"trait": "signed_up_at", "op": "before_days_ago", "value": 30}"#, signedUp, from: false, at: "2026-06-19T08:00:00Z")
        try expectChange(#"{"trait": "signed_up_at", "op": "before_days_ago", "value": 7}"#, signedUp, from: true, at: nil)
    }

    @Test func comparisonsNotRelativeToNowNeverChangeWithTime() throws {
        try expectChange(#"{"trait": "age", "op": "gt", "value": 30}"#, signedUp, from: true, at: nil)
        try expectChange(#"{"trait": "signed_up_at", "op": "lt", "value": "2026-07-01T00:00:00Z"}"#, signedUp, from: true, at: nil)
        try expectChange(#"{"trait": "missing", "op": "within_days", "value": 30}"#, signedUp, from: false, at: nil)
    }

    @Test func anEventWindowChangesWhenItsOldestEventLeaves() throws {
        let shopper = SegmentSubject(events: [
            try SegmentFixture.event("Order Completed", "2026-05-10T09:30:00Z"),
            try SegmentFixture.event("Order Completed", "2026-04-01T00:00:00Z"),
            try SegmentFixture.event("Order Completed", "2026-01-15T00:00:00Z"),
            try SegmentFixture.event("Page Viewed", "2026-05-05T00:00:00Z"),
        ])
        // Two orders in 90 days until the 2026-04-01 order leaves on 2026-06-30.
        try expectChange(#"{"event": "Order Completed", "within_days": 90, "aggregate": "count", "op": "gte", "value": 2}"#, shopper, from: true, at: "2026-06-30T00:00:00Z")
        // At least one order in 30 days until the 2026-05-10 09:30 one leaves.
        try expectChange(#"{"event": "Order Completed", "within_days": 30}"#, shopper, from: true, at: "2026-06-09T09:30:00Z")
        try expectChange(#"{"not": {"event": "Order Completed", "within_days": 30}}"#, shopper, from: false, at: "2026-06-09T09:30:00Z")
        // All time: nothing leaves.
        try expectChange(#"{"event": "Order Completed", "aggregate": "count", "op": "eq", "value": 3}"#, shopper, from: true, at: nil)
    }

    @Test func aWhereFilterLimitsWhichEventsTheWindowWatches() throws {
        let shopper = SegmentSubject(events: [
            try SegmentFixture.event("Order Completed", "2026-05-25T00:00:00Z", #"{"category": "Home"}"#),
            try SegmentFixture.event("Order Completed", "2026-05-20T00:00:00Z", #"{"category": "Beauty"}"#),
        ])
        try expectChange(#"{"event": "Order Completed", "where": [{"property": "category", "op": "eq", "value": "Beauty"}], "within_days": 30}"#, shopper, from: true, at: "2026-06-19T00:00:00Z")
    }

    @Test func anEventDatedInTheFutureEntersTheWindowAtItsTime() throws {
        let early = SegmentSubject(events: [try SegmentFixture.event("Order Completed", "2026-06-01T12:05:00Z")])
        try expectChange(#"{"event": "Order Completed", "within_days": 30}"#, early, from: false, at: "2026-06-01T12:05:00Z")
    }

    @Test func theLastEventsTimeCrossesBeforeDaysAgo() throws {
        let lapsing = SegmentSubject(events: [
            try SegmentFixture.event("Order Completed", "2026-04-01T06:00:00Z"),
            try SegmentFixture.event("Order Completed", "2026-03-01T06:00:00Z"),
        ])
        // Last order 2026-04-01 06:00: 90 days later is 2026-06-30 06:00.
        try expectChange(#"{"event": "Order Completed", "aggregate": "last", "op": "before_days_ago", "value": 90}"#, lapsing, from: false, at: "2026-06-30T06:00:00Z")
    }

    @Test func allAndAnyWaitForTheChildrenThatDecideThem() throws {
        let subject = SegmentSubject(traits: [
            "a": .string("2026-05-25T00:00:00Z"),  // within 30 days until 06-24
            "b": .string("2026-05-28T00:00:00Z"),  // within 30 days until 06-27
            "c": .string("2026-05-10T00:00:00Z"),  // 30 days ago on 06-09
        ])
        let withinA = #"{"trait": "a", "op": "within_days", "value": 30}"#
        let withinB = #"{"trait": "b", "op": "within_days", "value": 30}"#
        let agedC = #"{"trait": "c", "op": "before_days_ago", "value": 30}"#
        let never = #"{"trait": "a", "op": "eq", "value": "x"}"#
        let always = #"{"trait": "a", "op": "exists", "value": true}"#
        // True: leaves at the first child's change.
        try expectChange(#"{"all": [\#(withinB), \#(withinA), \#(always)]}"#, subject, from: true, at: "2026-06-24T00:00:00Z")
        // False: enters only once every false child has turned.
        try expectChange(#"{"all": [{"not": \#(withinB)}, {"not": \#(withinA)}, \#(always)]}"#, subject, from: false, at: "2026-06-27T00:00:00Z")
        try expectChange(#"{"all": [\#(agedC), \#(never)]}"#, subject, from: false, at: nil)
        // False `any`: enters at the first child's change.
        try expectChange(#"{"any": [\#(agedC), \#(never)]}"#, subject, from: false, at: "2026-06-09T00:00:00Z")
        // True `any`: leaves once every true child has, never while one true child holds forever.
        try expectChange(#"{"any": [\#(withinA), \#(withinB), \#(never)]}"#, subject, from: true, at: "2026-06-27T00:00:00Z")
        try expectChange(#"{"any": [\#(withinA), \#(always)]}"#, subject, from: true, at: nil)
    }
}
