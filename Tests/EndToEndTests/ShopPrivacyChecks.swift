import Foundation
import KinshipCore
import KinshipTestSupport
import PostgresNIO
import Testing

/// Privacy against the ground truth: nothing personal in clear in any table, a person's export complete,
/// erasure leaving no trace and a receipt, suppression refusing what comes next. Run last: they erase
/// people the other checks count.
extension ShopEndToEndTests {
    static let privacyChecks: [Check] = [
        Check(name: "a dump of the whole database holds no sampled customer's e-mail, phone, name, birthday, user id or anonymous id in clear") { platform in
            let people = platform.checkedPeople(stride: 7).prefix(60)
            #expect(people.count > 30)
            let found = try await platform.dumpHolds(["order completed"] + people.flatMap { $0.clearValues + $0.quotedDescriptions })
            #expect(found.contains("order completed"), "the dump holds the events (sanity check of the dump itself)")
            for person in people {
                for secret in person.clearValues + person.quotedDescriptions where found.contains(secret) {
                    Issue.record("\(person.person)'s \(secret) is in clear in the dump")
                }
            }
        },
        Check(name: "a customer who refused marketing earlier has new e-mail events withheld at ingestion, and analytics events stored") { platform in
            let subjects = Set(platform.privacySubjects.map(\.person))
            let person = try #require(
                platform.checkedPeople(stride: 1).first { $0.consent["marketing"] == false && $0.userId != nil && !$0.storeOnly && !subjects.contains($0.person) },
                "the shop has a customer who refused marketing"
            )
            let tag = UUID().uuidString
            let (email, viewed, stranger) = ("refused-email-\(tag)", "refused-view-\(tag)", "stranger-email-\(tag)")
            let sent = try await platform.sendBatch([
                ["type": "track", "event": "Email Opened", "messageId": email, "userId": person.userId!, "properties": ["campaign_id": "c-1"]],
                ["type": "track", "event": "Product Viewed", "messageId": viewed, "userId": person.userId!, "properties": ["sku": "X"]],
                ["type": "track", "event": "Email Opened", "messageId": stranger, "userId": "stranger-\(tag)", "properties": ["campaign_id": "c-1"]],
            ])
            #expect(sent.status == 200, "\(sent.body)")
            #expect(try JSONValue.parse(sent.body)["withheld"] == .number(1), "\(sent.body)")
            let stored = try await poll(timeout: .seconds(30), every: .milliseconds(250)) {
                try await platform.count("SELECT count(*)::int FROM events WHERE workspace_id = \(platform.workspace.id) AND message_id = \(stranger)") == 1
            }
            #expect(stored, "a stranger's e-mail event sent with it was stored")
            let kept = try await platform.count(
                "SELECT count(*)::int FROM events WHERE workspace_id = \(platform.workspace.id) AND message_id IN (\(email), \(viewed))"
            )
            #expect(kept == 1, "only the analytics event of the customer who refused marketing is stored")
        },
        Check(name: "an export holds every identifier the ground truth knows, every event attached, consent and segments, and is audited") { platform in
            let admin = try await platform.apiKey(.admin)
            let person = try #require(platform.privacySubjects.first)
            let answer = try await platform.reportingPost(
                "/v1/privacy/requests", body: ["kind": "export", "identifier": ["type": "email", "value": person.emails[0]]], key: admin
            )
            #expect(answer.status == 200, "\(answer.body.prefix(300))")
            let document = try JSONCoding.decode(PersonExportDocument.self, from: Data(answer.body.utf8))
            let held = Set(document.profile.profile.identifiers.map { "\($0.type)/\($0.value)" })
            let expected = Set(person.emails.map { "email/" + $0.trimmingCharacters(in: .whitespaces).lowercased() }
                + person.anonymousIds.map { "anonymous_id/\($0)" } + [person.userId].compactMap { $0.map { "user_id/\($0)" } })
            #expect(expected.isSubset(of: held), "missing \(expected.subtracting(held))")
            let profile = try #require(try await platform.profile(of: person))
            let attached = try await platform.count(
                "SELECT count(*)::int FROM event_profiles WHERE workspace_id = \(platform.workspace.id) AND profile_id = \(UUID(uuidString: profile)!)"
            )
            #expect(document.events.count == attached && attached > 0, "\(document.events.count) exported of \(attached)")
            #expect(document.events.contains { $0.message["userId"]?.stringValue == person.userId }, "events are opened")
            #expect(document.profile.consent == person.consent.filter { document.profile.consent[$0.key] != nil } && !document.summary.isEmpty)
            #expect(document.request.kind == "export" && document.request.status == "done")
            let audited = try await platform.count(
                "SELECT count(*)::int FROM audit_log WHERE workspace_id = \(platform.workspace.id) AND action = 'privacy.export' AND target = \(document.request.id)"
            )
            #expect(audited == 1)
        },
        Check(name: "erasing three customers leaves no trace of them and a receipt of what was removed") { platform in
            let admin = try await platform.apiKey(.admin)
            let erased = Array(platform.privacySubjects.dropFirst().prefix(3))
            #expect(erased.count == 3)
            var profiles: [UUID] = []
            var requests: [String] = []
            for person in erased { profiles.append(try #require(try await platform.profile(of: person).flatMap(UUID.init(uuidString:)))) }
            // What the reports and segments say before, to check that they still add up for the others after.
            let before = try await platform.settledOverview()
            let sizesBefore = try await platform.segmentSizes()
            let erasedMembers = try await platform.segmentSizes(of: profiles)
            for person in erased {
                let answer = try await platform.reportingPost(
                    "/v1/privacy/requests", body: ["kind": "erase", "identifier": ["type": "user_id", "value": person.userId!]], key: admin
                )
                #expect(answer.status == 202, "\(answer.body.prefix(300))")
                requests.append(try #require(answer.json["id"] as? String))
            }
            for id in requests {
                let done = try await poll(timeout: .seconds(60), every: .milliseconds(250)) {
                    try await platform.reporting("/v1/privacy/requests/\(id)", key: admin).json["status"] as? String == "done"
                }
                #expect(done, "erasure \(id) did not finish within a minute")
                let request = try JSONCoding.decode(PublicPrivacyRequest.self, from: Data(try await platform.reporting("/v1/privacy/requests/\(id)", key: admin).body.utf8))
                let identity = request.steps.first { $0.service == "identity" }
                #expect((identity?.removed["events"] ?? 0) > 0 && (identity?.removed["profiles"] ?? 0) >= 1, "\(request.steps)")
                #expect(request.steps.map(\.service).sorted() == ["identity", "reporting", "segmentation"] && request.steps.allSatisfy { $0.status == "done" })
                #expect(!request.steps.description.contains("@"), "a receipt names tables and counts, not values")
            }
            // Every report and segment still adds up for the others: less exactly what the erased held.
            let removedEvents = try await requests.asyncReduce(0) { sum, id in
                let request = try JSONCoding.decode(PublicPrivacyRequest.self, from: Data(try await platform.reporting("/v1/privacy/requests/\(id)", key: admin).body.utf8))
                return sum + (request.steps.first { $0.service == "identity" }?.removed["events"] ?? 0)
            }
            let after = try await platform.settledOverview()
            #expect(after.events == before.events - removedEvents, "events \(before.events) → \(after.events), \(removedEvents) erased")
            #expect(after.orders == before.orders - erased.map(\.orderCount).reduce(0, +), "orders \(before.orders) → \(after.orders)")
            let erasedRevenue = erased.map(\.revenue).reduce(0, +)
            #expect(abs(before.revenue - after.revenue - erasedRevenue) < 0.01, "revenue \(before.revenue) → \(after.revenue), \(erasedRevenue) erased")
            let sizesAfter = try await platform.segmentSizes()
            for (segment, size) in sizesBefore {
                #expect(sizesAfter[segment, default: 0] == size - erasedMembers[segment, default: 0], "segment \(segment): \(size) → \(sizesAfter[segment, default: 0])")
            }
            for table in ["profiles", "identities", "event_profiles", "segment_profiles", "memberships", "consent_facts", "consent_refusals", "report_events"] {
                let column = table == "profiles" ? "id" : "profile_id"
                let left = try await platform.count(PostgresQuery(
                    unsafeSQL: "SELECT count(*)::int FROM \(table) WHERE workspace_id = $1 AND \(column) = ANY($2)",
                    binds: try { var binds = PostgresBindings(); try binds.append(platform.workspace.id); try binds.append(profiles); return binds }()
                ))
                #expect(left == 0, "\(left) rows of \(table) left")
            }
            let found = try await platform.dumpHolds(erased.flatMap { $0.clearValues + $0.quotedDescriptions })
            // No sealed value any remaining key can open is theirs either.
            let openable = try await platform.openableStrings()
            #expect(openable.count > 1000, "the remaining data opens (sanity check): \(openable.count) strings")
            for person in erased {
                for secret in person.clearValues where openable.contains(secret) {
                    Issue.record("\(person.person)'s \(secret) still opens with a remaining key")
                }
                for secret in person.quotedDescriptions where found.contains(secret) {
                    Issue.record("\(person.person)'s \(secret) is still in clear in the dump")
                }
                #expect(try await platform.profile("user_id", person.userId!) == nil)
                for secret in person.clearValues where found.contains(secret) {
                    Issue.record("\(person.person)'s \(secret) is still in the dump")
                }
                let again = try await platform.reportingPost(
                    "/v1/privacy/requests", body: ["kind": "erase", "identifier": ["type": "user_id", "value": person.userId!]], key: admin
                )
                #expect(again.status == 404, "nothing is left to erase: \(again.body.prefix(200))")
            }
        },
        Check(name: "a suppressed customer's new events are acknowledged, not stored, and join no profile") { platform in
            let admin = try await platform.apiKey(.admin)
            let person = try #require(platform.privacySubjects.dropFirst(4).first)
            let suppressed = try await platform.reportingPost(
                "/v1/privacy/requests", body: ["kind": "suppress", "identifier": ["type": "email", "value": person.emails[0]]], key: admin
            )
            #expect(suppressed.status == 201, "\(suppressed.body.prefix(300))")
            // Ingestion reads a workspace's suppressions at most every two seconds.
            try await Task.sleep(for: .seconds(3))
            let messageId = "suppressed-\(UUID().uuidString)"
            let sent = try await platform.sendBatch([
                ["type": "track", "event": "Product Viewed", "messageId": messageId, "userId": person.userId!, "properties": ["sku": "X"]],
            ])
            #expect(sent.status == 200, "\(sent.body)")
            let stranger = "stranger-\(UUID().uuidString)"
            let control = try await platform.sendBatch([["type": "track", "event": "Product Viewed", "messageId": stranger, "userId": stranger]])
            #expect(control.status == 200)
            let stored = try await poll(timeout: .seconds(30), every: .milliseconds(250)) {
                try await platform.count("SELECT count(*)::int FROM events WHERE workspace_id = \(platform.workspace.id) AND message_id = \(stranger)") == 1
            }
            #expect(stored, "an unsuppressed event sent after it was stored")
            let kept = try await platform.count(
                "SELECT count(*)::int FROM events WHERE workspace_id = \(platform.workspace.id) AND message_id = \(messageId)"
            )
            #expect(kept == 0, "the suppressed person's event was stored")
        },
    ]
}

extension ShopPlatform {
    /// Signed-up customers with an e-mail and events, none of them on a shared computer, for privacy requests.
    var privacySubjects: [ShopTruth.Person] {
        checkedPeople(stride: 5).filter { $0.userId != nil && !$0.emails.isEmpty && !$0.storeOnly && $0.messages > 3 }
    }
}

extension ShopTruth.Person {
    /// The person's name, each part, and birthday as JSON strings in clear would hold them (quoted, lower-cased:
    /// a sealed value is base64 and never holds a quote, so a short name cannot match by chance).
    var quotedDescriptions: [String] {
        (name.split(separator: " ").map(String.init) + [birthday]).filter { !$0.isEmpty }.map { "\"\($0.lowercased())\"" }
    }

    /// The person's identifying values as they could appear in clear in a dump, lower-cased: e-mails as
    /// sent and normalised, the phone as typed, the user id and the anonymous ids.
    var clearValues: [String] {
        var values = emails.flatMap { [$0.lowercased(), $0.trimmingCharacters(in: .whitespaces).lowercased()] }
        values += (anonymousIds + [userId].compactMap(\.self)).map { $0.lowercased() }
        if let phone {
            let digits = phone.filter(\.isNumber)
            if digits.count >= 9 { values.append(phone.lowercased()) }
        }
        return Array(Set(values.filter { $0.count >= 8 }))
    }
}
