import Foundation
import KinshipCore
import Testing

/// The dashboard over real HTTP against the shop: every page renders from the shop's data, people are found
/// and shown as the role allows, and forms without the session's CSRF token are refused.
extension ShopEndToEndTests {
    static let dashboardChecks: [Check] = [
        Check(name: "the dashboard shows every report of the shop, and people masked for an analyst, clear for an admin, not at all to a viewer") { platform in
            let period = "from=\(String(Timestamp.format(Date().addingTimeInterval(-120 * 86_400)).prefix(10)))&to=\(ShopPlatform.today)&lang=en"
            let viewer = try await DashboardClient.signIn(platform.reportingURL, key: try await platform.apiKey(.viewer))
            let overview = try await viewer.get("/dashboard?\(period)")
            #expect(overview.status == 200)
            let orders = platform.truth.people.map(\.orderCount).reduce(0, +)
            #expect(overview.body.contains(">\(grouped(orders))<"), "the overview card shows the shop's \(orders) orders")
            for page in ["funnel", "retention", "rfm", "nps", "email", "channels", "cart-abandonment", "support", "demographics", "trends"] {
                let started = ContinuousClock.now
                let answer = try await viewer.get("/dashboard/reports/\(page)?\(period)")
                #expect(answer.status == 200, "\(page): \(answer.body.prefix(300))")
                #expect(answer.body.contains("<svg") || page == "retention", "\(page) draws its chart")
                #expect(answer.body.contains("<table"), "\(page) shows its numbers")
                #expect(!answer.body.contains("<script"))
                #expect(ContinuousClock.now - started < .seconds(10), "\(page) took \(ContinuousClock.now - started)")
            }
            #expect(try await viewer.get("/dashboard/people?q=x").status == 403, "a viewer sees no person")
            #expect(!overview.body.contains("/dashboard/people"), "nor a link to people")

            let analyst = try await DashboardClient.signIn(platform.reportingURL, key: try await platform.apiKey(.analyst))
            let admin = try await DashboardClient.signIn(platform.reportingURL, key: try await platform.apiKey(.admin))
            var checked = 0
            for person in platform.checkedPeople(stride: 7).filter({ !$0.emails.isEmpty }).prefix(8) {
                let email = person.emails[0]
                let profile = try #require(try await platform.profile(of: person))
                let typed = email.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? email
                let found = try await analyst.get("/dashboard/people?q=\(typed)&lang=en")
                #expect(found.status == 200)
                #expect(found.body.contains("/dashboard/people/\(profile)"), "\(person.person) is found by e-mail")

                let masked = try await analyst.get("/dashboard/people/\(profile)?lang=en")
                #expect(masked.status == 200, "\(masked.body.prefix(300))")
                let addresses = person.emails.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                for address in addresses { #expect(!masked.body.lowercased().contains(address), "an analyst saw \(person.person)'s e-mail") }
                #expect(!masked.body.contains("/unmerge"), "an analyst has no unmerge action")
                #expect(masked.body.contains("order_count"))

                let clear = try await admin.get("/dashboard/people/\(profile)?lang=en")
                #expect(addresses.allSatisfy { clear.body.lowercased().contains($0) }, "an admin sees \(person.person)'s e-mails")
                #expect(clear.body.contains("/dashboard/people/\(profile)/unmerge"))
                checked += 1
            }
            #expect(checked >= 5, "checked \(checked)")

            // A form posted from another site carries no session token: refused before anything is done.
            let someone = try #require(try await platform.profile(of: platform.checkedPeople(stride: 7)[0]))
            let forged = try await admin.post("/dashboard/people/\(someone)/unmerge", form: ["csrf": "kc_forged", "type": "email", "value": "x@example.com"])
            #expect(forged.status == 403)
        },
    ]

    /// A count as the dashboard writes it: thousands separated by commas.
    static func grouped(_ count: Int) -> String {
        var digits = Array(String(count)), text = ""
        while digits.count > 3 { text = "," + String(digits.suffix(3)) + text; digits.removeLast(3) }
        return String(digits) + text
    }
}
