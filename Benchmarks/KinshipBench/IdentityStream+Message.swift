import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox

/// An event as ingestion has it just before sealing: the message as sent and enriched, and the facts
/// its `events` row and outbox key are made of.
struct BenchEvent: Sendable {
    let messageId: String
    let type: String
    let event: String?
    let receivedAt: String
    let eventTime: String
    let message: [String: JSONValue]
    /// The person's strongest id in the message, as ingestion keys the outbox with it: user id, else anonymous id.
    let strongestID: (type: String, value: String)
}

extension IdentityStream {
    /// Event n of the stream as a browser library sends it (page and track calls, identifies at login)
    /// and ingestion enriches it (parsed user agent, anonymised IP, campaign), with its own variety drawn
    /// from n, so any event can be made alone, in any order, on any thread.
    func event(_ n: Int, messageId: String, receivedAt: String, eventTime: String) -> BenchEvent {
        let planned = events[n]
        let variety = SplitMix64.mix(seed ^ (0xE7E7_0000_0000_0000 &+ UInt64(n)))
        var message = envelope(messageId: messageId, device: planned.device, receivedAt: receivedAt, eventTime: eventTime, variety: variety)
        if planned.kind.carriesUserID { message["userId"] = .string(userID(planned.person)) }
        let type: String
        var event: String?
        switch planned.kind {
        case .anonymousPage, .knownPage:
            type = "page"
            let page = message["context"]?["page"]
            message["name"] = page?["title"]
            message["properties"] = page
        case .anonymousTrack, .knownTrack:
            type = "track"
            let (name, properties) = Self.shopEvent(variety)
            event = name
            message["event"] = .string(name)
            message["properties"] = .object(properties)
        case .login:
            type = "identify"
            var traits: [String: JSONValue] = [
                "email": .string(email(planned.person, variant: variety >> 8)),
                "firstName": .string("Name\(planned.person)"),
                "plan": .string(Self.plans[Int(planned.person) % Self.plans.count]),
            ]
            if let phone = phone(planned.person, variant: variety >> 16) { traits["phone"] = .string(phone) }
            message["traits"] = .object(traits)
        case .traitUpdate:
            type = "identify"
            message["traits"] = .object(["plan": .string(Self.plans[Int(variety % UInt64(Self.plans.count))])])
        }
        message["type"] = .string(type)
        let strongest = planned.kind.carriesUserID ? ("user_id", userID(planned.person)) : ("anonymous_id", anonymousID(planned.device))
        return BenchEvent(
            messageId: messageId, type: type, event: event, receivedAt: receivedAt, eventTime: eventTime, message: message, strongestID: strongest
        )
    }

    /// What every message of a device carries: ids, times and the enriched `context` of a page view.
    func envelope(messageId: String, device: Int32, receivedAt: String, eventTime: String, variety: UInt64) -> [String: JSONValue] {
        let product = Int(variety % 997)
        let campaign = (variety >> 10) % 10 == 0
        var url = "https://shop.example.com/p/\(product)"
        if campaign { url += "?utm_source=newsletter&utm_medium=email&utm_campaign=spring" }
        let page: [String: JSONValue] = [
            "path": .string("/p/\(product)"),
            "url": .string(url),
            "title": .string("Product \(product) – Example Shop"),
            "referrer": .string((variety >> 20) % 3 == 0 ? "https://www.google.com/" : "https://shop.example.com/"),
        ]
        let agent = Self.userAgents[Int(SplitMix64.mix(UInt64(device)) % UInt64(Self.userAgents.count))]
        var context: [String: JSONValue] = [
            "library": .object(["name": .string("analytics.js"), "version": .string("next-1.70.0")]),
            "userAgent": .string(agent.header),
            "userAgentParsed": .object(agent.parsed),
            "ip": .string("203.0.113.0"),
            "locale": .string("th-TH"),
            "page": .object(page),
        ]
        if campaign {
            context["campaign"] = .object(["source": .string("newsletter"), "medium": .string("email"), "name": .string("spring")])
        }
        return [
            "messageId": .string(messageId),
            "anonymousId": .string(anonymousID(device)),
            "timestamp": .string(eventTime),
            "originalTimestamp": .string(eventTime),
            "sentAt": .string(eventTime),
            "receivedAt": .string(receivedAt),
            "context": .object(context),
        ]
    }

    static let plans = ["free", "plus", "pro"]

    /// A track call of a shop: mostly views, some carts, a few orders.
    static func shopEvent(_ variety: UInt64) -> (String, [String: JSONValue]) {
        let product: JSONValue = .string("p-\(variety % 997)")
        let price = JSONValue.number(Double(100 + (variety >> 12) % 4900))
        switch (variety >> 30) % 20 {
        case 0:
            return ("Order Completed", ["order_id": .string("o-\(variety % 1_000_000_007)"), "revenue": price, "currency": .string("THB")])
        case 1, 2:
            return ("Product Added", ["product_id": product, "price": price, "currency": .string("THB"), "quantity": .number(1)])
        default:
            return ("Product Viewed", ["product_id": product, "price": price, "currency": .string("THB")])
        }
    }

    /// A device's browser: its header and what ingestion parses from it.
    static let userAgents: [(header: String, parsed: [String: JSONValue])] = [
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
         ["browser": .string("Chrome"), "browserVersion": .string("120.0"), "os": .string("Windows"), "osVersion": .string("10"), "deviceType": .string("desktop")]),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
         ["browser": .string("Safari"), "browserVersion": .string("17.1"), "os": .string("iOS"), "osVersion": .string("17.1"), "deviceType": .string("mobile")]),
        ("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
         ["browser": .string("Chrome"), "browserVersion": .string("120.0"), "os": .string("Android"), "osVersion": .string("14"), "deviceType": .string("mobile")]),
    ]
}
