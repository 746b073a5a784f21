import Foundation
import KinshipCore
import KinshipPrivacy
import KinshipTestSupport
import Testing

/// The public API (reporting) against the ground truth: people found by their identifiers with their
/// computed traits, personal values clear only for admins, and a segment's audience file.
extension ShopEndToEndTests {
    static let reportingChecks: [Check] = [
        Check(name: "the public API finds a sampled person by e-mail; PII clear for an admin, masked for an analyst, hidden from a viewer") { platform in
            let (admin, analyst, viewer) = (try await platform.apiKey(.admin), try await platform.apiKey(.analyst), try await platform.apiKey(.viewer))
            var checked = 0
            for person in platform.checkedPeople(stride: 2).filter({ !$0.emails.isEmpty }).prefix(40) {
                let email = person.emails[0]
                let lookup = ["identifier_type": "email", "identifier_value": email]
                let clear = try await platform.reporting("/v1/profiles", query: lookup, key: admin)
                #expect(clear.status == 200, "\(person.person): \(clear.body)")
                let view = try JSONCoding.decode(PublicProfile.self, from: Data(clear.body.utf8))
                let held = Set(view.profile.identifiers.filter { $0.type == "email" }.map(\.value))
                let expected = Set(person.emails.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
                #expect(held == expected, Comment(rawValue: person.person))
                #expect(view.computed["order_count"] == .number(Double(person.orderCount)), Comment(rawValue: person.person))
                #expect(view.profile.profileId == (try await platform.profile(of: person)))

                let masked = try await platform.reporting("/v1/profiles", query: lookup, key: analyst)
                #expect(masked.status == 200)
                for address in expected { #expect(!masked.body.lowercased().contains(address), "an analyst saw \(person.person)'s e-mail") }
                #expect(try await platform.reporting("/v1/profiles", query: lookup, key: viewer).status == 403)
                checked += 1
            }
            #expect(checked > 10, "checked \(checked)")
        },
        Check(name: "a segment's hashed audience is the SHA-256 of its members' e-mails, without those who refused marketing") { platform in
            let analyst = try await platform.apiKey(.analyst)
            let draft = SegmentDraft(name: "Detractors for the audience", definition: try JSONValue.parse(#"{"computed": "nps_category", "op": "eq", "value": "detractor"}"#))
            let segment = try await platform.segmentation(.POST, "/internal/v1/segments", body: try JSONCoding.encoder().encode(draft), as: SegmentView.self)
            var expected: Set<String> = []
            for person in platform.truth.people where person.messages > 0 {
                guard person.latestNps.map({ $0.score <= 6 }) == true, person.consent["marketing"] != false,
                      person.sharedAnonymousId == nil else { continue }
                for email in person.emails { expected.insert(AudienceHash.sha256Hex(email.trimmingCharacters(in: .whitespaces).lowercased())) }
            }
            let file = try await platform.reporting("/v1/segments/\(segment.id)/members", query: ["format": "hashed"], key: analyst)
            #expect(file.status == 200, "\(file.body)")
            let lines = file.body.replacingOccurrences(of: "\u{FEFF}", with: "").split(separator: "\r\n").map(String.init)
            #expect(lines.first == "type,sha256")
            let emails = Set(lines.dropFirst().filter { $0.hasPrefix("email,") }.map { String($0.dropFirst("email,".count)) })
            // Detractors on a shared computer may hold a housemate's answers; every other detractor's e-mails are there, and no one else's.
            #expect(expected.isSubset(of: emails), "missing \(expected.subtracting(emails).count) of \(expected.count)")
            #expect(emails.count - expected.count <= platform.truth.people.filter { $0.sharedAnonymousId != nil }.count * 2)
            #expect(expected.count > 5)

            // Its history: everyone entered today, and a viewer may read it.
            let viewer = try await platform.apiKey(.viewer)
            let history = try await platform.reporting("/v1/segments/\(segment.id)/history", query: ["from": ShopPlatform.today], key: viewer)
            #expect(history.status == 200, "\(history.body)")
            let days = try JSONCoding.decode([SegmentDay].self, from: Data(history.body.utf8))
            #expect(days.map(\.day) == [ShopPlatform.today])
            #expect(days.first?.entered == segment.size && days.first?.size == segment.size && days.first?.exited == 0)
        },
        Check(name: "the overview, NPS and e-mail reports equal the ground truth's totals, for a viewer, in JSON and CSV") { platform in
            let viewer = try await platform.apiKey(.viewer)
            let today = Date()
            // The whole shop: it ends today and began well within the 120 days before.
            let period = ["from": String(Timestamp.format(today.addingTimeInterval(-120 * 86_400)).prefix(10)), "to": ShopPlatform.today]
            func report(_ name: String) async throws -> JSONValue {
                let answer = try await platform.reporting("/v1/reports/\(name)", query: period, key: viewer)
                #expect(answer.status == 200, "\(name): \(answer.body)")
                return try JSONValue.parse(answer.body)
            }
            let truth = platform.truth
            let overview = try await report("overview")
            #expect(overview["events"]?["current"] == .number(Double(truth.totals.storedEvents)))
            #expect(overview["orders"]?["current"] == .number(Double(truth.people.map(\.orderCount).reduce(0, +))))
            let revenue = overview["revenue"]?["current"]?.numberValue ?? -1
            #expect(abs(revenue - truth.totals.revenue) < 0.01, "revenue \(revenue) vs \(truth.totals.revenue)")
            let email = try await report("email")
            #expect(email["total"]?["delivered"] == .number(Double(truth.totals.emailsDelivered)))
            let nps = try await report("nps")
            #expect(nps["total"]?["responses"] == .number(Double(truth.people.map(\.surveys).reduce(0, +))))

            let csv = try await platform.reporting("/v1/reports/overview", query: period.merging(["format": "csv"]) { $1 }, key: viewer)
            #expect(csv.status == 200)
            #expect(csv.body.hasPrefix("\u{FEFF}"), "a byte-order mark, so spreadsheets read UTF-8")
            #expect(csv.body.split(separator: "\r\n").count > 2)
        },
        Check(name: "the data map shows the shop's identify traits: e-mail, phone, names and birthday personal, income sensitive, all encrypted") { platform in
            let viewer = try await platform.apiKey(.viewer)
            let period = ["from": String(Timestamp.format(Date().addingTimeInterval(-120 * 86_400)).prefix(10)), "to": ShopPlatform.today]
            let answer = try await platform.reporting("/v1/reports/data-map", query: period, key: viewer)
            #expect(answer.status == 200, "\(answer.body.prefix(300))")
            let keys = try JSONValue.parse(answer.body)["keys"]?.arrayValue ?? []
            func entry(_ key: String) -> JSONValue? { keys.first { $0["place"] == "traits" && $0["key"] == .string(key) } }
            // Ingestion seals these (PersonalData): every stored value is encrypted.
            for key in ["email", "phone", "first_name", "last_name", "birthday", "address"] {
                let found = entry(key)
                #expect(found?["sensitivity"] == "personal" && found?["protection"] == "encrypted", "\(key): \(String(describing: found))")
                #expect((found?["values"]?.numberValue ?? 0) > 0)
            }
            // Sensitive by the default rules, and sealed as personal values are.
            let income = entry("income_band")
            #expect(income?["sensitivity"] == "sensitive" && income?["protection"] == "encrypted" && income?["exposed"] == .bool(false))
            #expect(!keys.contains { $0["exposed"] == .bool(true) }, "nothing personal in clear: \(keys.filter { $0["exposed"] == .bool(true) })")
            #expect(entry("gender")?["kind"] == "identity" && entry("gender")?["sensitivity"] == "none")
            let nps = keys.first { $0["key"] == "nps_score" }
            #expect(nps?["kind"] == "attitudinal", "\(String(describing: nps))")
        },
    ]
}
