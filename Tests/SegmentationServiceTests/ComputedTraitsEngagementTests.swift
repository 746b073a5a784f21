import Foundation
import KinshipCore
import SegmentationService
import Testing

@Suite struct ComputedTraitsEngagementTests {
    @Test func viewsOfOneDeviceLessThanThirtyMinutesApartAreOneSession() {
        let events = [
            // phone: 10:00, 10:29 (one session), 11:00 (31 min later: a second)
            TraitFixture.view("v1", "2026-06-01T10:00:00Z", device: "phone", campaign: ("google", "cpc")),
            TraitFixture.view("v2", "2026-06-01T10:29:00Z", device: "phone"),
            TraitFixture.view("v3", "2026-06-01T11:00:00Z", device: "phone"),
            // laptop at the same time: its own session
            TraitFixture.view("v4", "2026-06-01T10:10:00Z", device: "laptop", campaign: ("line", "social")),
            // 31 days ago: outside the window
            TraitFixture.view("v5", "2026-05-01T09:00:00Z", device: "phone", campaign: ("line", "social")),
        ]
        let traits = TraitFixture.traits(events, now: "2026-06-01T12:00:00Z")
        #expect(traits["sessions_30d"] == .number(3))
        #expect(traits["page_views_30d"] == .number(4))
        // google/cpc 1, line/social 1, (direct) 1: the alphabetically first of the tie
        #expect(traits["top_session_channel"] == .string("(direct)"))
        #expect(traits["last_seen_at"] == .string("2026-06-01T11:00:00.000Z"))
    }

    @Test func theThirtyDayWindowMovesWithNow() {
        let events = [
            TraitFixture.view("v1", "2026-06-01T10:00:00Z", device: "phone"),
            TraitFixture.view("v2", "2026-06-20T10:00:00Z", device: "phone"),
        ]
        #expect(TraitFixture.traits(events, now: "2026-06-30T10:00:00Z")["sessions_30d"] == .number(2))
        #expect(TraitFixture.traits(events, now: "2026-07-01T10:00:00Z")["sessions_30d"] == .number(1))
        #expect(TraitFixture.traits(events, now: "2026-07-21T10:00:00Z")["sessions_30d"] == .number(0))
    }

    @Test func emailRatesAreOverDelivered() throws {
        var events: [ActivityEvent] = []
        for index in 0..<8 { events.append(try TraitFixture.track("d\(index)", "Email Delivered", "2026-05-0\(index + 1)T10:00:00Z")) }
        events.append(try TraitFixture.track("o1", "Email Opened", "2026-05-02T11:00:00Z"))
        events.append(try TraitFixture.track("o2", "Email Opened", "2026-05-03T11:00:00Z"))
        events.append(try TraitFixture.track("c1", "Email Link Clicked", "2026-05-03T11:01:00Z"))
        events.append(try TraitFixture.track("b1", "Email Bounced", "2026-05-20T10:00:00Z"))
        events.append(try TraitFixture.track("u1", "Unsubscribed", "2026-05-04T10:00:00Z"))
        let traits = TraitFixture.traits(events, now: "2026-06-01T12:00:00Z")
        #expect(traits["emails_delivered"] == .number(8))
        #expect(traits["emails_opened"] == .number(2))
        #expect(traits["emails_clicked"] == .number(1))
        #expect(traits["emails_bounced"] == .number(1))
        #expect(traits["unsubscribed"] == .bool(true))
        #expect(traits["email_open_rate"] == .number(0.25))
        #expect(traits["email_click_rate"] == .number(0.125))
        // Deliveries and bounces are the mail service's doing, not the person's.
        #expect(traits["last_seen_at"] == .string("2026-05-04T10:00:00.000Z"))
    }

    @Test func theMostUsedDeviceBrowserAndSystemWin() throws {
        let iphone = #"{"userAgent": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"}"#
        let edge = #"{"userAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"}"#
        let app = #"{"userAgent": "okhttp/4.12.0 KinshipShop/4.2.0 (Android 14; V2303)", "device": {"type": "android"}, "os": {"name": "Android"}}"#
        let events = [
            try TraitFixture.track("e1", "Product Viewed", "2026-05-01T10:00:00Z", context: edge),
            try TraitFixture.track("e2", "Product Viewed", "2026-05-01T10:01:00Z", context: edge),
            try TraitFixture.track("e3", "Product Viewed", "2026-05-01T10:02:00Z", context: edge),
            try TraitFixture.track("i1", "Product Viewed", "2026-05-02T10:00:00Z", context: iphone),
            try TraitFixture.track("a1", "Product Viewed", "2026-05-03T10:00:00Z", context: app),
        ]
        let traits = TraitFixture.traits(events, now: "2026-06-01T12:00:00Z")
        #expect(traits["browser"] == .string("Edge"))
        #expect(traits["os"] == .string("Windows"))
        #expect(traits["device_type"] == .string("desktop"))
        let phones = TraitFixture.traits(Array(events.dropFirst(2)), now: "2026-06-01T12:00:00Z")
        #expect(phones["device_type"] == .string("mobile"))
    }
}
