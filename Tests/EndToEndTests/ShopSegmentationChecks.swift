import Foundation
import KinshipCore
import Testing

/// What segmentation concluded about the shop's customers, against the ground truth: computed traits of
/// sampled customers, and the members of three segments.
///
/// People on a shared family computer are left out: which of two people an anonymous visit on it belongs
/// to depends on who signed in there first, a trap identity answers by design, not by the truth's rule.
/// So are answers that time could flip while a check runs (a window boundary within five minutes).
extension ShopEndToEndTests {
    static let segmentationChecks: [Check] = [
        Check(name: "sampled customers' computed traits equal the ground truth") { platform in
            let now = Date()
            var checked = 0, buyers = 0, abandoned = 0
            for person in platform.checkedPeople(stride: 3) {
                guard let profile = try await platform.profile(of: person) else { continue }
                let view = try await platform.segmentation(.GET, "/internal/v1/profiles/\(profile)/segments", as: ProfileSegmentsView.self)
                let traits = view.computed
                let who = Comment(rawValue: person.person)
                #expect(traits["order_count"] == .number(Double(person.orderCount)), who)
                #expect(abs((traits["revenue"]?.numberValue ?? -1) - person.revenue) < 0.005, "\(person.person): revenue \(String(describing: traits["revenue"])) vs \(person.revenue)")
                if person.orderCount > 0 {
                    buyers += 1
                    let average = traits["average_order_value"]?.numberValue ?? -1
                    #expect(abs(average - person.revenue / Double(person.orderCount)) < 0.006, "\(person.person): AOV \(average)")
                }
                if let nps = person.latestNps {
                    #expect(traits["nps_category"] == .string(nps.score >= 9 ? "promoter" : nps.score >= 7 ? "passive" : "detractor"), who)
                }
                if let expected = person.abandonedCart(at: now) {
                    if expected { abandoned += 1 }
                    #expect(traits["abandoned_cart"] == .bool(expected), who)
                }
                checked += 1
            }
            #expect(checked > 150 && buyers > 20 && abandoned > 3, "checked \(checked), buyers \(buyers), abandoned \(abandoned)")
        },
        Check(name: "three segments hold exactly the people the ground truth puts in them") { platform in
            let now = Date()
            let spenders = try await platform.members(of: "Spent over 5,000 THB in 30 days", definition: """
                {"event": "Order Completed", "within_days": 30, "aggregate": "sum", "property": "total", "op": "gt", "value": 5000}
                """)
            let detractors = try await platform.members(of: "NPS detractors", definition: """
                {"computed": "nps_category", "op": "eq", "value": "detractor"}
                """)
            let carts = try await platform.members(of: "Abandoned a cart, marketing allowed", definition: """
                {"computed": "abandoned_cart", "op": "eq", "value": true}
                """, requiredConsent: "marketing")
            var expected = (spenders: 0, detractors: 0, carts: 0)
            for person in platform.checkedPeople(stride: 1) {
                guard let profile = try await platform.profile(of: person) else { continue }
                let who = Comment(rawValue: person.person)
                if let spent = person.spent(days: 30, at: now) {
                    if spent > 5000 { expected.spenders += 1 }
                    #expect(spenders.contains(profile) == (spent > 5000), who)
                }
                let detractor = person.latestNps.map { $0.score <= 6 } ?? false
                if detractor { expected.detractors += 1 }
                #expect(detractors.contains(profile) == detractor, who)
                if let abandoned = person.abandonedCart(at: now) {
                    let member = abandoned && person.consent["marketing"] != false
                    if member { expected.carts += 1 }
                    #expect(carts.contains(profile) == member, who)
                }
            }
            #expect(expected.spenders > 5 && expected.detractors > 5 && expected.carts > 2, "the shop must fill the segments: \(expected)")
        },
    ]
}

extension ShopPlatform {
    /// Customers with events, not on a shared computer, every `stride`-th.
    func checkedPeople(stride step: Int) -> [ShopTruth.Person] {
        stride(from: 0, to: truth.people.count, by: step).map { truth.people[$0] }.filter { $0.messages > 0 && $0.sharedAnonymousId == nil }
    }

    /// The live profile of a person, found by their first identifier.
    func profile(of person: ShopTruth.Person) async throws -> String? {
        guard let identifier = person.identifiers.first else { return nil }
        return try await profile(identifier.type, identifier.value)
    }
}

extension ShopTruth.Person {
    /// Whether the person has an abandoned cart at `now`: a `Product Added` or `Checkout Started` after their
    /// latest order, 24 hours old or more. Nil when it turns within five minutes of `now`.
    func abandonedCart(at now: Date) -> Bool? {
        guard let cart = lastCartEventAt.flatMap(Timestamp.parse) else { return false }
        if let lastOrder = orders.compactMap({ Timestamp.parse($0.at) }).max(), lastOrder >= cart { return false }
        let due = cart.addingTimeInterval(24 * 3600)
        if abs(due.timeIntervalSince(now)) < 300 { return nil }
        return now >= due
    }

    /// The totals of the orders placed in the last `days` days (cancelled ones too: the segment sums
    /// `Order Completed` events). Nil when an order sits within five minutes of the window's edge.
    func spent(days: Int, at now: Date) -> Double? {
        let start = now.addingTimeInterval(-Double(days) * 86_400)
        var total = 0.0
        for order in orders {
            guard let at = Timestamp.parse(order.at) else { continue }
            if abs(at.timeIntervalSince(start)) < 300 { return nil }
            if at > start && at <= now { total += order.total }
        }
        return total
    }
}
