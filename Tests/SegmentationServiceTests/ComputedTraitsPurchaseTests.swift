import Foundation
import KinshipCore
import SegmentationService
import Testing

@Suite struct ComputedTraitsPurchaseTests {
    /// Three orders: one cancelled, one half refunded; what stands is A (1,000.50) and C (300 − 100).
    static func orders() throws -> [ActivityEvent] {
        [
            try TraitFixture.track("m1", "Order Completed", "2026-05-01T10:00:00Z",
                #"{"order_id": "A", "total": 1000.50, "channel": "web", "products": [{"category": "Skincare", "quantity": 1}, {"category": "Makeup", "quantity": 2}]}"#),
            try TraitFixture.track("m2", "Order Completed", "2026-05-10T10:00:00Z",
                #"{"order_id": "B", "total": 200, "channel": "app", "products": [{"category": "Haircare", "quantity": 9}]}"#),
            try TraitFixture.track("m3", "Order Cancelled", "2026-05-10T11:00:00Z", #"{"order_id": "B", "total": 200}"#),
            try TraitFixture.track("m4", "Order Completed", "2026-05-20T10:00:00Z",
                #"{"order_id": "C", "total": 300, "channel": "web", "products": [{"category": "Skincare", "quantity": 1}]}"#),
            try TraitFixture.track("m5", "Order Refunded", "2026-05-25T10:00:00Z", #"{"order_id": "C", "total": 100}"#),
        ]
    }

    @Test func cancelledOrdersDoNotCountAndRefundsAreSubtracted() throws {
        let traits = TraitFixture.traits(try Self.orders(), now: "2026-06-01T09:00:00Z")
        #expect(traits["order_count"] == .number(2))
        #expect(traits["revenue"] == .number(1200.50))
        #expect(traits["average_order_value"] == .number(600.25))
        #expect(traits["first_order_at"] == .string("2026-05-01T10:00:00.000Z"))
        #expect(traits["last_order_at"] == .string("2026-05-20T10:00:00.000Z"))
        #expect(traits["days_since_last_order"] == .number(11))
        #expect(traits["purchase_channel"] == .string("web"))
    }

    @Test func absurdAmountsAndQuantitiesAreNotMoneyAndNeverTrap() throws {
        // Anyone with a write key can send these: none may crash the evaluation or overflow a sum.
        let events = [
            try TraitFixture.track("x1", "Order Completed", "2026-05-01T10:00:00Z",
                #"{"order_id": "X", "total": 1e300, "products": [{"category": "Skincare", "quantity": 1e300, "price": 1e300}]}"#),
            try TraitFixture.track("x2", "Order Completed", "2026-05-02T10:00:00Z", #"{"order_id": "Y", "total": 999999999}"#),
            try TraitFixture.track("x3", "Order Completed", "2026-05-03T10:00:00Z", #"{"order_id": "Z", "total": 999999999}"#),
            try TraitFixture.track("x4", "Order Refunded", "2026-05-04T10:00:00Z", #"{"order_id": "Z", "total": -5000}"#),
            try TraitFixture.track("x5", "Product Added", "2026-05-05T10:00:00Z", #"{"price": 1e300, "quantity": -1e300}"#),
        ]
        let traits = TraitFixture.traits(events, now: "2026-06-01T09:00:00Z")
        #expect(traits["order_count"] == .number(3))
        #expect(traits["revenue"] == .number(1_999_999_998), "X is no money; a negative refund is ignored")
        #expect(traits["favourite_category"] == .string("Skincare"))
    }

    @Test func favouriteCategoryCountsUnitsOfStandingOrdersAndBreaksTiesAlphabetically() throws {
        // Haircare's 9 units were cancelled; Makeup 2 and Skincare 2 tie.
        let traits = TraitFixture.traits(try Self.orders(), now: "2026-06-01T09:00:00Z")
        #expect(traits["favourite_category"] == .string("Makeup"))
    }

    @Test func aCancellationOrRefundThatArrivesBeforeItsOrderStillApplies() throws {
        let events = try Self.orders()
        let lateOrders = events.filter { $0.event != "Order Completed" } + events.filter { $0.event == "Order Completed" }
        let traits = TraitFixture.traits(lateOrders, now: "2026-06-01T09:00:00Z")
        #expect(traits["order_count"] == .number(2))
        #expect(traits["revenue"] == .number(1200.50))
    }

    @Test func aRetriedMessageIsAppliedOnce() throws {
        let order = try TraitFixture.track("m1", "Order Completed", "2026-05-01T10:00:00Z", #"{"order_id": "A", "total": 10}"#)
        let refund = try TraitFixture.track("m2", "Order Refunded", "2026-05-02T10:00:00Z", #"{"order_id": "A", "total": 4}"#)
        let traits = TraitFixture.traits([order, refund, order, refund], now: "2026-06-01T09:00:00Z")
        #expect(traits["order_count"] == .number(1))
        #expect(traits["revenue"] == .number(6))
    }

    @Test func anOrderWithoutOrderIdIsAnOrderOfItsOwn() throws {
        let events = [
            try TraitFixture.track("m1", "Order Completed", "2026-05-01T10:00:00Z", #"{"total": 10, "channel": "pos"}"#),
            try TraitFixture.track("m2", "Order Completed", "2026-05-02T10:00:00Z", #"{"total": 20, "channel": "pos"}"#),
        ]
        let traits = TraitFixture.traits(events, now: "2026-06-01T09:00:00Z")
        #expect(traits["order_count"] == .number(2))
        #expect(traits["revenue"] == .number(30))
        #expect(traits["purchase_channel"] == .string("pos"))
        #expect(traits["favourite_category"] == nil)
    }

    @Test func noOrdersGiveZeroCountsAndNoAverageOrTimes() {
        let traits = TraitFixture.traits([], now: "2026-06-01T09:00:00Z")
        #expect(traits["order_count"] == .number(0))
        #expect(traits["revenue"] == .number(0))
        #expect(traits["average_order_value"] == nil)
        #expect(traits["last_order_at"] == nil)
    }

    @Test func eachOrderIsCreditedToTheLastCampaignThatBroughtThePersonWithin30Days() throws {
        let events = [
            TraitFixture.view("v1", "2026-03-01T10:00:00Z", device: "phone", campaign: ("line", "social")),
            // 40 days before the second order: too old to have brought it
            try TraitFixture.track("o1", "Order Completed", "2026-03-01T10:05:00Z", #"{"order_id": "1", "total": 100}"#),
            TraitFixture.view("v2", "2026-05-01T09:00:00Z", device: "laptop", campaign: ("google", "cpc")),
            TraitFixture.view("v3", "2026-05-01T09:30:00Z", device: "laptop", campaign: ("line", "social")),
            try TraitFixture.track("o2", "Order Completed", "2026-05-01T10:00:00Z", #"{"order_id": "2", "total": 100}"#),
            // a touch after the order does not bring it
            TraitFixture.view("v4", "2026-06-01T09:00:00Z", device: "phone", campaign: ("newsletter", "email")),
            try TraitFixture.track("o3", "Order Completed", "2026-04-10T10:00:00Z", #"{"order_id": "3", "total": 100}"#),
            try TraitFixture.track("o4", "Order Completed", "2026-02-01T10:00:00Z", #"{"order_id": "4", "total": 100}"#),
            try TraitFixture.track("o4c", "Order Cancelled", "2026-02-02T10:00:00Z", #"{"order_id": "4"}"#),
        ]
        // o1 line/social, o2 line/social (the later touch), o3 (direct) (its touches are 40 days old); o4 cancelled
        #expect(TraitFixture.traits(events, now: "2026-06-02T00:00:00Z")["top_order_channel"] == .string("line/social"))
        #expect(TraitFixture.traits(events.reversed(), now: "2026-06-02T00:00:00Z")["top_order_channel"] == .string("line/social"))
        #expect(TraitFixture.traits([events[1]], now: "2026-06-02T00:00:00Z")["top_order_channel"] == .string("(direct)"))
        #expect(TraitFixture.traits([events[0]], now: "2026-06-02T00:00:00Z")["top_order_channel"] == nil)
    }
}
