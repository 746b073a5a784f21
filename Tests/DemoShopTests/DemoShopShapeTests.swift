import Foundation
import Testing
@testable import KinshipDemoShop

/// The shapes docs/demo.md promises, on a shop large enough for rates to settle.
struct DemoShopShapeTests {
    nonisolated(unsafe) static let truth: [String: Any] = try! DemoShop(.shop(customers: 4000, days: 90, seed: 7)).truth()
    var totals: [String: Any] { Self.truth["totals"] as! [String: Any] }
    var people: [[String: Any]] { Self.truth["people"] as! [[String: Any]] }
    var days: [[String: Any]] { Self.truth["days"] as! [[String: Any]] }

    @Test func cartsAreAbandonedAboutSevenTimesInTen() {
        let rate = number(totals["abandonedCarts"]) / number(totals["carts"])
        #expect((0.62...0.78).contains(rate), "abandonment \(rate)")
    }

    @Test func aboutOneEmailInFiveIsOpenedAndAFewAreClicked() {
        let delivered = number(totals["emailsDelivered"])
        #expect((0.15...0.25).contains(number(totals["emailsOpened"]) / delivered))
        #expect((0.015...0.06).contains(number(totals["emailsClicked"]) / delivered))
    }

    @Test func aboutAThirdUseSeveralDevices() {
        let online = people.filter { !($0["storeOnly"] as! Bool) }
        let share = number(totals["peopleOnSeveralDevices"]) / Double(online.count)
        #expect((0.28...0.45).contains(share), "several devices \(share)")
    }

    @Test func aFewCustomersBringMuchOfTheRevenueAndAMinorityBuyAgain() {
        let revenues = people.map { number($0["revenue"]) }.sorted(by: >)
        let top = revenues.prefix(revenues.count / 10).reduce(0, +) / revenues.reduce(0, +)
        #expect((0.4...0.85).contains(top), "top tenth's share \(top)")
        let repeatShare = number(totals["repeatBuyers"]) / number(totals["buyers"])
        #expect((0.15...0.5).contains(repeatShare), "repeat buyers \(repeatShare)")
    }

    @Test func salesPeakOnDoubleDaysAndPayday() {
        func orders(_ date: String) -> Double { number(days.first { $0["date"] as? String == date }?["orders"]) }
        let ordinary = days.map { number($0["orders"]) }.sorted()[days.count / 2]
        #expect(orders("2026-11-11") > 2.5 * ordinary)
        #expect(orders("2026-10-10") > 1.5 * ordinary)
        let payday = ["2026-10-25", "2026-10-26", "2026-10-27", "2026-10-28", "2026-10-29", "2026-10-30", "2026-10-31"].map(orders).reduce(0, +)
        let midMonth = ["2026-10-05", "2026-10-06", "2026-10-07", "2026-10-08", "2026-10-09", "2026-10-11", "2026-10-12"].map(orders).reduce(0, +)
        #expect(payday > midMonth)
    }

    @Test func consentRefusalsAndTrapsComeInTheirProportions() {
        let refusingMarketing = people.filter { ($0["consent"] as! [String: Bool])["marketing"] == false }.count
        #expect((0.15...0.32).contains(Double(refusingMarketing) / Double(people.count)))
        let duplicates = number(totals["duplicatesSent"]) / number(totals["messagesSent"])
        #expect((0.005...0.02).contains(duplicates))
        #expect((0.4...0.6).contains(number(totals["visitors"]) / 4000))
        #expect(people.contains { $0["storeOnly"] as! Bool } && people.contains { $0["sharedAnonymousId"] is String })
        let refunded = people.flatMap { $0["orders"] as! [[String: Any]] }.filter { number($0["refunded"]) > 0 }
        #expect(!refunded.isEmpty)
    }
}

/// The traps real data holds are in the messages, and the truth counts what was sent.
struct DemoShopTrapTests {
    static let shop = DemoShop(.shop(customers: 600, days: 60, seed: 9))
    nonisolated(unsafe) static let messages: [[String: Any]] = try! shop.sentMessages()

    @Test func placeholderIdsTypedEmailsAndPhoneSpellingsAreSent() {
        #expect(Self.messages.contains { ["undefined", "null", "0"].contains($0["userId"] as? String) })
        let emails = Self.messages.compactMap { ($0["traits"] as? [String: Any])?["email"] as? String }
        #expect(emails.contains { $0 != $0.lowercased() } && emails.contains { $0.hasPrefix(" ") })
        let phones = Self.shop.flatMap(\.posRows).map { $0.split(separator: ",", omittingEmptySubsequences: false)[5] }
        #expect(phones.contains { $0.contains("-") } && phones.contains { $0.hasPrefix("+66 ") } && phones.contains { $0.hasPrefix("0") && $0.count == 10 })
    }

    @Test func retriesRepeatAMessageAndLateEventsComeOutOfOrder() {
        let ids = Self.messages.map { $0["messageId"] as! String }
        #expect(Set(ids).count < ids.count)
        var late = false
        for household in Self.shop {
            let times = household.messages.map { (try! JSONSerialization.jsonObject(with: Data($0.json)) as! [String: Any])["timestamp"] as! String }
            if zip(times, times.dropFirst()).contains(where: { $0 > $1 }) { late = true; break }
        }
        #expect(late)
    }

    @Test func theTruthCountsEachStoredMessageOnce() throws {
        let truth = try Self.shop.truth()
        let totals = truth["totals"] as! [String: Any]
        let unique = Set(Self.messages.map { $0["messageId"] as! String }).count
        #expect(Int(number(totals["storedEvents"])) == unique + Int(number(totals["posRows"])))
        let people = truth["people"] as! [[String: Any]]
        let perPerson = people.reduce(0) { $0 + Int(number($1["messages"])) }
        let anonymous = Set(truth["visitors"] as! [String])
        let visitorMessages = Set(Self.messages.filter { $0["userId"] == nil || ["undefined", "null", "0"].contains($0["userId"] as? String) }
            .filter { anonymous.contains($0["anonymousId"] as? String ?? "") }.map { $0["messageId"] as! String }).count
        #expect(perPerson + visitorMessages == unique + Int(number(totals["posRows"])))
        // Every e-mail the truth lists for a person was sent in some message.
        let sentEmails = Set(Self.messages.flatMap { message -> [String] in
            let traits = (message["traits"] as? [String: Any]) ?? ((message["context"] as? [String: Any])?["traits"] as? [String: Any]) ?? [:]
            return (traits["email"] as? String).map { [$0.trimmingCharacters(in: .whitespaces).lowercased()] } ?? []
        })
        let posEmails = Set(Self.shop.flatMap(\.posRows).map { String($0.split(separator: ",", omittingEmptySubsequences: false)[6]).trimmingCharacters(in: .whitespaces).lowercased() })
        for person in people { for email in person["emails"] as! [String] { #expect(sentEmails.contains(email) || posEmails.contains(email)) } }
    }
}
