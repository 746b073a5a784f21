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
            for page in ["funnel", "retention", "rfm", "nps", "email", "channels", "cart-abandonment", "support", "demographics", "trends", "data-map"] {
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
        Check(name: "the dashboard's segment editor previews a definition as the ground truth counts it, saves it, and lists it with its members") { platform in
            let analyst = try await DashboardClient.signIn(platform.reportingURL, key: try await platform.apiKey(.analyst))
            let editor = try await analyst.get("/dashboard/segments/new?lang=en")
            #expect(editor.status == 200)
            #expect(editor.body.contains(#"<script src="/dashboard/segment-editor.js" defer>"#), "the editor loads its one script")
            let csrf = try #require(DashboardClient.csrf(in: editor.body))
            // Promoters: the latest NPS answer 9 or 10, whoever answered (consent is not required here).
            let definition = #"{"computed": "nps_category", "op": "eq", "value": "promoter"}"#
            let promoters = platform.truth.people.filter { $0.messages > 0 && $0.sharedAnonymousId == nil && ($0.latestNps?.score ?? -1) >= 9 }.count
            let form = ["csrf": csrf, "name": "Promoters (dashboard)", "description": "NPS 9–10", "definition": definition, "required_consent": ""]
            let preview = try await DashboardClient.send(
                platform.reportingURL + "/dashboard/segments/preview", method: .POST, cookies: ["kinship_session": analyst.session], form: form,
                accept: "application/json"
            )
            #expect(preview.status == 200, "\(preview.body)")
            let size = try JSONValue.parse(preview.body)["size"]?.numberValue ?? -1
            // People on a shared computer may hold a housemate's answer: within their number of the truth.
            let shared = platform.truth.people.filter { $0.sharedAnonymousId != nil }.count
            #expect(size >= Double(promoters) && size <= Double(promoters + shared), "preview \(size), truth \(promoters) (+ up to \(shared) shared)")
            #expect(promoters > 3)

            let withoutScript = try await analyst.post("/dashboard/segments/preview?lang=en", form: form)
            #expect(withoutScript.status == 200 && withoutScript.body.contains(#"id="preview-size">\#(grouped(Int(size)))<"#), "the button's preview shows the size")
            let broken = try await analyst.post("/dashboard/segments?lang=en", form: form.merging(["definition": "{\"computed\": "]) { $1 })
            #expect(broken.status == 400 && broken.body.contains("not valid JSON"), "a broken definition comes back with its reason")
            #expect(try await analyst.post("/dashboard/segments", form: form.merging(["csrf": "kc_forged"]) { $1 }).status == 403)

            let saved = try await analyst.post("/dashboard/segments?lang=en", form: form)
            #expect(saved.status == 303)
            let location = try #require(saved.location)
            let page = try await analyst.get(location)
            #expect(page.status == 200 && page.body.contains("Promoters (dashboard)") && page.body.contains(">\(grouped(Int(size)))<"))
            #expect(page.body.contains("/members/hashed"))
            let list = try await analyst.get("/dashboard/segments?lang=en")
            #expect(list.body.contains("Promoters (dashboard)") && list.body.contains("<svg"), "listed with its sparkline")
            let members = try await analyst.get(location.replacingOccurrences(of: "?lang=en", with: "") + "/members/csv")
            // The file leaves out members who refused marketing.
            let allowing = platform.truth.people.filter {
                $0.messages > 0 && $0.sharedAnonymousId == nil && ($0.latestNps?.score ?? -1) >= 9 && $0.consent["marketing"] != false
            }.count
            let rows = members.body.split(separator: "\r\n").count - 1
            #expect(members.status == 200 && rows >= allowing && rows <= min(Int(size), allowing + shared), "the CSV: \(rows) rows, \(allowing) allowing marketing")

            let viewer = try await DashboardClient.signIn(platform.reportingURL, key: try await platform.apiKey(.viewer))
            #expect(try await viewer.get(location).body.contains("Promoters (dashboard)"), "a viewer sees the segment and its size")
            #expect(try await viewer.get("/dashboard/segments/new").status == 403, "but not the editor")
        },
    ]

    /// A count as the dashboard writes it: thousands separated by commas.
    static func grouped(_ count: Int) -> String {
        var digits = Array(String(count)), text = ""
        while digits.count > 3 { text = "," + String(digits.suffix(3)) + text; digits.removeLast(3) }
        return String(digits) + text
    }
}
