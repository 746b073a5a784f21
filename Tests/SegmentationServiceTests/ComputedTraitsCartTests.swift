import Foundation
import KinshipCore
import SegmentationService
import Testing

@Suite struct ComputedTraitsCartTests {
    static let added = #"{"product_id": "P1", "category": "Skincare", "price": 250.50, "quantity": 2}"#

    @Test func aCartIsAbandonedOnlyOnceTheWindowHasPassedWithoutAnOrder() throws {
        let events = [try TraitFixture.track("m1", "Product Added", "2026-06-01T10:00:00Z", Self.added)]
        let young = TraitFixture.traits(events, now: "2026-06-02T09:59:59Z")
        #expect(young["abandoned_cart"] == .bool(false))
        #expect(young["last_cart_value"] == .number(501))
        #expect(young["abandoned_cart_value"] == .number(0))
        let old = TraitFixture.traits(events, now: "2026-06-02T10:00:00Z")
        #expect(old["abandoned_cart"] == .bool(true))
        #expect(old["abandoned_cart_value"] == .number(501))
        #expect(old["last_cart_at"] == .string("2026-06-01T10:00:00.000Z"))
    }

    @Test func theWindowIsAParameter() throws {
        let events = [try TraitFixture.track("m1", "Product Added", "2026-06-01T10:00:00Z", Self.added)]
        let traits = TraitFixture.traits(events, now: "2026-06-01T11:00:00Z", window: 3600)
        #expect(traits["abandoned_cart"] == .bool(true))
    }

    @Test func anOrderAfterTheCartClosesItEvenWhenItArrivesLate() throws {
        let cart = try TraitFixture.track("m1", "Product Added", "2026-06-01T10:00:00Z", Self.added)
        let order = try TraitFixture.track("m2", "Order Completed", "2026-06-01T12:00:00Z", #"{"order_id": "A", "total": 501}"#)
        for events in [[cart, order], [order, cart]] {
            let traits = TraitFixture.traits(events, now: "2026-06-05T00:00:00Z")
            #expect(traits["abandoned_cart"] == .bool(false))
            #expect(traits["last_cart_value"] == nil)
        }
    }

    @Test func theOpenCartIsTheLatestCheckoutPlusWhatWasAddedAfterIt() throws {
        let events = [
            try TraitFixture.track("m0", "Order Completed", "2026-05-30T10:00:00Z", #"{"order_id": "A", "total": 99}"#),
            try TraitFixture.track("m1", "Product Added", "2026-05-29T10:00:00Z", Self.added),
            try TraitFixture.track("m2", "Product Added", "2026-06-01T10:00:00Z", Self.added),
            try TraitFixture.track("m3", "Checkout Started", "2026-06-01T10:05:00Z", #"{"value": 700}"#),
            try TraitFixture.track("m4", "Product Added", "2026-06-01T10:10:00Z", #"{"price": 50, "quantity": 1}"#),
        ]
        let traits = TraitFixture.traits(events, now: "2026-06-03T00:00:00Z")
        #expect(traits["last_cart_value"] == .number(750))
        #expect(traits["abandoned_cart"] == .bool(true))
        #expect(traits["abandoned_cart_value"] == .number(750))
    }

    @Test func aCheckoutWithoutValueIsWorthItsProducts() throws {
        let events = [try TraitFixture.track("m1", "Checkout Started", "2026-06-01T10:00:00Z",
                                             #"{"products": [{"price": 10, "quantity": 3}, {"price": 2.25}]}"#)]
        #expect(TraitFixture.traits(events, now: "2026-06-01T11:00:00Z")["last_cart_value"] == .number(32.25))
    }
}
