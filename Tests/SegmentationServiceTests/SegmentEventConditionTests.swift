import Foundation
import KinshipCore
import SegmentationService
import Testing

/// Event conditions: filters, windows and each aggregate.
struct SegmentEventConditionTests {
    /// Now is 2026-06-01 12:00Z. Orders 5, 40, 100 and 200 days ago, a page view, and a refunded order.
    let shopper = SegmentSubject(events: [
        try! SegmentFixture.event("Order Completed", "2026-05-27T12:00:00Z", #"{"total": 1200, "category": "Beauty", "shipping": {"city": "Bangkok"}}"#),
        try! SegmentFixture.event("Order Completed", "2026-04-22T12:00:00Z", #"{"total": 800, "category": "Home"}"#),
        try! SegmentFixture.event("Page Viewed", "2026-05-31T12:00:00Z", #"{"path": "/"}"#),
        try! SegmentFixture.event("Order Completed", "2026-02-21T12:00:00Z", #"{"total": 3000, "category": "Beauty", "shipping": {"city": "Phuket"}}"#),
        try! SegmentFixture.event("Order Completed", "2025-11-13T12:00:00Z", #"{"total": "n/a", "category": "Beauty"}"#),
    ])

    func matches(_ text: String) throws -> Bool {
        try SegmentFixture.matches(text, shopper)
    }

    @Test func anEventNameAloneMeansAtLeastOne() throws {
        #expect(try matches(#"{"event": "Order Completed"}"#))
        #expect(try matches(#"{"event": "Page Viewed"}"#))
        #expect(try !matches(#"{"event": "Checkout Started"}"#))
        #expect(try !matches(#"{"event": "order completed"}"#))
    }

    @Test func countCountsTheEventsInTheWindow() throws {
        #expect(try matches(#"{"event": "Order Completed", "aggregate": "count", "op": "eq", "value": 4}"#))
        #expect(try matches(#"{"event": "Order Completed", "within_days": 90, "aggregate": "count", "op": "eq", "value": 2}"#))
        #expect(try matches(#"{"event": "Order Completed", "within_days": 30, "aggregate": "count", "op": "eq", "value": 1}"#))
        #expect(try matches(#"{"event": "Order Completed", "within_days": 4, "aggregate": "count", "op": "eq", "value": 0}"#))
        #expect(try !matches(#"{"event": "Order Completed", "within_days": 4}"#))
        // The window ends five days back exactly: an event of exactly five days ago has left it.
        #expect(try !matches(#"{"event": "Order Completed", "within_days": 5}"#))
        #expect(try matches(#"{"event": "Order Completed", "within_days": 6}"#))
    }

    @Test func whereFiltersTheEventsByTheirProperties() throws {
        #expect(try matches(#"{"event": "Order Completed", "where": [{"property": "category", "op": "eq", "value": "Beauty"}], "aggregate": "count", "op": "eq", "value": 3}"#))
        #expect(try matches(#"{"event": "Order Completed", "where": [{"property": "category", "op": "eq", "value": "Beauty"}], "within_days": 90, "aggregate": "count", "op": "eq", "value": 1}"#))
        #expect(try matches(#"{"event": "Order Completed", "where": [{"property": "category", "op": "eq", "value": "Beauty"}, {"property": "total", "op": "gte", "value": 2000}], "aggregate": "count", "op": "eq", "value": 1}"#))
        #expect(try matches(#"{"event": "Order Completed", "where": [{"property": "shipping.city", "op": "in", "value": ["Phuket", "Krabi"]}], "aggregate": "count", "op": "eq", "value": 1}"#))
        #expect(try matches(#"{"event": "Order Completed", "where": [{"property": "shipping.city", "op": "exists", "value": false}], "aggregate": "count", "op": "eq", "value": 2}"#))
        #expect(try !matches(#"{"event": "Order Completed", "where": [{"property": "category", "op": "eq", "value": "Toys"}]}"#))
    }

    @Test func sumAndAvgSkipValuesThatAreNotNumbers() throws {
        #expect(try matches(#"{"event": "Order Completed", "aggregate": "sum", "property": "total", "op": "eq", "value": 5000}"#))
        #expect(try matches(#"{"event": "Order Completed", "within_days": 90, "aggregate": "sum", "property": "total", "op": "eq", "value": 2000}"#))
        #expect(try matches(#"{"event": "Order Completed", "within_days": 4, "aggregate": "sum", "property": "total", "op": "eq", "value": 0}"#))
        #expect(try matches(#"{"event": "Order Completed", "aggregate": "avg", "property": "total", "op": "between", "value": [1666.66, 1666.67]}"#))
        #expect(try matches(#"{"event": "Order Completed", "within_days": 90, "aggregate": "avg", "property": "total", "op": "eq", "value": 1000}"#))
        // No events: no average, so it neither equals nor differs from zero by `eq`, and `exists` is false.
        #expect(try !matches(#"{"event": "Order Completed", "within_days": 4, "aggregate": "avg", "property": "total", "op": "eq", "value": 0}"#))
        #expect(try matches(#"{"event": "Order Completed", "within_days": 4, "aggregate": "avg", "property": "total", "op": "exists", "value": false}"#))
    }

    @Test func firstAndLastGiveTheEventTimeOrAProperty() throws {
        #expect(try matches(#"{"event": "Order Completed", "aggregate": "first", "op": "eq", "value": "2025-11-13T19:00:00+07:00"}"#))
        #expect(try matches(#"{"event": "Order Completed", "aggregate": "last", "op": "eq", "value": "2026-05-27T12:00:00Z"}"#))
        #expect(try matches(#"{"event": "Order Completed", "aggregate": "last", "op": "within_days", "value": 7}"#))
        #expect(try !matches(#"{"event": "Order Completed", "aggregate": "last", "op": "before_days_ago", "value": 7}"#))
        #expect(try matches(#"{"event": "Order Completed", "aggregate": "first", "op": "before_days_ago", "value": 200}"#))
        #expect(try matches(#"{"event": "Order Completed", "aggregate": "first", "property": "category", "op": "eq", "value": "Beauty"}"#))
        #expect(try matches(#"{"event": "Order Completed", "within_days": 90, "aggregate": "first", "property": "category", "op": "eq", "value": "Home"}"#))
        #expect(try matches(#"{"event": "Order Completed", "aggregate": "last", "property": "total", "op": "gt", "value": 1000}"#))
        #expect(try !matches(#"{"event": "Checkout Started", "aggregate": "last", "op": "within_days", "value": 7}"#))
        #expect(try matches(#"{"event": "Checkout Started", "aggregate": "last", "op": "exists", "value": false}"#))
    }

    @Test func noOrderInNinetyDaysReadsAsACountOfZero() throws {
        let lapsed = SegmentSubject(events: [try SegmentFixture.event("Order Completed", "2026-01-01T00:00:00Z")])
        let text = #"{"not": {"event": "Order Completed", "within_days": 90}}"#
        #expect(try SegmentFixture.matches(text, lapsed))
        #expect(try !SegmentFixture.matches(text, shopper))
        #expect(try SegmentFixture.matches(text, SegmentSubject()))
    }
}
