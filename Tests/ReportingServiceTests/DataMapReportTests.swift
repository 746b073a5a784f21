import Foundation
import KinshipCore
import KinshipOutbox
import KinshipPrivacy
import KinshipTestSupport
import Testing
@testable import ReportingService

struct DataMapReportTests {
    static let march = ReportFixture.period("2026-03-01T00:00:00.000Z", "2026-03-08T00:00:00.000Z")

    @Test func listsEveryKeyWithItsKindSensitivityAndHowMuchIsEncrypted() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ReportFixture(database: database)
            let ann = try await shop.profile()
            let sealed: JSONValue = .object(["$sealed": "AAAA"])
            try await shop.identify(ann, at: "2026-03-02T10:00:00.000Z", traits: ["email": sealed, "First Name": "Ann", "income_band": "30,001–50,000"])
            try await shop.identify(ann, at: "2026-03-03T10:00:00.000Z", traits: ["email": sealed, "province": "Chiang Mai"])
            try await shop.track("Order Completed", of: ann, at: "2026-03-04T10:00:00.000Z", [
                "order_id": "O1", "total": 100, "phone_number": "081-234-5678", "note": "ann@example.com",
            ])
            try await shop.track("Survey Responded", of: ann, at: "2026-03-05T10:00:00.000Z", ["nps_score": 9])
            try await shop.track("Survey Responded", of: ann, at: "2026-02-05T10:00:00.000Z", ["before_the_period": 1])
            let other = try await ReportFixture(database: database)
            try await other.track("Order Completed", of: nil, at: "2026-03-04T10:00:00.000Z", ["other_workspace": 1])

            let report = try await shop.run { connection in
                try await DataMapReport.run(Self.march, workspaceID: shop.workspaceID, on: connection, logger: ReportFixture.logger)
            }
            func key(_ name: String) throws -> DataMapReportView.Key { try #require(report.keys.first { $0.key == name }, "\(name)") }
            #expect(Set(report.keys.map(\.key)) == ["email", "First Name", "income_band", "province", "order_id", "total", "phone_number", "note", "nps_score"])
            let email = try key("email")
            #expect(email.place == "traits" && email.values == 2 && email.encrypted == 2 && email.protection == "encrypted" && !email.exposed)
            #expect(email.sensitivity == .personal && email.kind == .identity)
            #expect(email.firstSeen == ReportFixture.date("2026-03-02T10:00:00.000Z"))
            #expect(email.lastSeen == ReportFixture.date("2026-03-03T10:00:00.000Z"))
            // Personal by name and stored in clear: what the data map exists to show.
            let phone = try key("phone_number")
            #expect(phone.sensitivity == .personal && phone.protection == "clear" && phone.exposed)
            let firstName = try key("First Name"), income = try key("income_band")
            #expect(firstName.sensitivity == .personal && firstName.exposed)
            #expect(income.sensitivity == .sensitive)
            // An e-mail under an innocent name is personal by its value.
            let (note, nps) = (try key("note"), try key("nps_score"))
            #expect(note.sensitivity == .personal && note.personalLookingInClear == 1)
            #expect(nps.kind == .attitudinal && nps.sensitivity == DataClassification.Sensitivity.none)
            let (order, total, province) = (try key("order_id"), try key("total"), try key("province"))
            #expect(order.kind == .behavioral && total.kind == .behavioral && province.kind == .identity)
            #expect(!report.truncated)
            #expect(report.table.columns.first == "place" && report.table.rows.count == 9)
            // The consent categories of the events that carry each key, by the default policy: orders are
            // necessary records, surveys analytics.
            #expect(email.consentCategories == ["necessary"] && order.consentCategories == ["necessary"] && nps.consentCategories == ["analytics"])
        }
    }

    @Test func theWorkspacesPolicyNamesTheCategoriesAndClassifiesItsOwnKeys() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ReportFixture(database: database)
            let ann = try await shop.profile()
            try await shop.track("Survey Responded", of: ann, at: "2026-03-05T10:00:00.000Z", ["nps_score": 9, "blood_type": "O"])
            try await shop.track("Order Completed", of: ann, at: "2026-03-05T11:00:00.000Z", ["order_id": "O1", "total": 100, "blood_type": "O"])
            let policy = #"{"eventCategories": {"Survey Responded": "personalization"}, "classification": {"sensitive": ["blood type"]}}"#
            try await database.query(
                "INSERT INTO privacy_policies (workspace_id, version, policy, updated_by) VALUES (\(shop.workspaceID), 1, \(policy)::jsonb, 'test')",
                logger: ReportFixture.logger
            )
            let report = try await shop.run { connection in
                try await DataMapReport.run(Self.march, workspaceID: shop.workspaceID, on: connection, logger: ReportFixture.logger)
            }
            let blood = try #require(report.keys.first { $0.key == "blood_type" })
            #expect(blood.sensitivity == .sensitive && blood.exposed)
            #expect(blood.consentCategories == ["necessary", "personalization"])
            #expect(report.keys.first { $0.key == "nps_score" }?.consentCategories == ["personalization"])
        }
    }

    /// The map is kept from the rollups: an event counts once however many of its messages are rolled up, and
    /// a period that does not start or end on the hour counts exactly the events between its ends.
    @Test func countsEachEventOnceAndReadsPartHoursFromTheEvents() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ReportFixture(database: database)
            let ann = try await shop.profile()
            let times = ["2026-03-04T10:15:00.000Z", "2026-03-04T10:45:00.000Z", "2026-03-04T15:00:00.000Z", "2026-03-05T10:20:00.000Z", "2026-03-05T10:40:00.000Z"]
            var references: [EventReference] = []
            for (index, time) in times.enumerated() {
                references.append(try await shop.track("Product Viewed", of: ann, at: time, ["product_id": .string("P\(index)")]))
            }
            // The `events` message handled again, and the `resolutions` one after it: neither adds the keys again.
            try await shop.rollUp(references)
            try await shop.rollUp(references)

            func productKey(_ from: String, _ to: String) async throws -> DataMapReportView.Key? {
                let report = try await shop.run { connection in
                    try await DataMapReport.run(ReportFixture.period(from, to), workspaceID: shop.workspaceID, on: connection, logger: ReportFixture.logger)
                }
                return report.keys.first { $0.key == "product_id" }
            }
            let whole = try #require(try await productKey("2026-03-01T00:00:00.000Z", "2026-03-08T00:00:00.000Z"))
            #expect(whole.values == 5)
            let parts = try #require(try await productKey("2026-03-04T10:30:00.000Z", "2026-03-05T10:30:00.000Z"))
            #expect(parts.values == 3)
            #expect(parts.firstSeen == ReportFixture.date("2026-03-04T10:45:00.000Z"))
            #expect(parts.lastSeen == ReportFixture.date("2026-03-05T10:20:00.000Z"))
            let withinAnHour = try #require(try await productKey("2026-03-04T10:40:00.000Z", "2026-03-04T10:50:00.000Z"))
            #expect(withinAnHour.values == 1)
            #expect(try await productKey("2026-03-04T11:00:00.000Z", "2026-03-04T14:00:00.000Z") == nil)
        }
    }

    @Test func wholeHoursAreThoseInsideThePeriod() {
        let inside = WholeHours(ReportFixture.period("2026-03-04T10:30:00.000Z", "2026-03-05T10:30:00.000Z"))
        #expect(inside.from == ReportFixture.date("2026-03-04T11:00:00.000Z") && inside.to == ReportFixture.date("2026-03-05T10:00:00.000Z"))
        let aligned = WholeHours(ReportFixture.period("2026-03-04T10:00:00.000Z", "2026-03-04T12:00:00.000Z"))
        #expect(aligned.from == ReportFixture.date("2026-03-04T10:00:00.000Z") && aligned.to == ReportFixture.date("2026-03-04T12:00:00.000Z"))
        let none = WholeHours(ReportFixture.period("2026-03-04T10:10:00.000Z", "2026-03-04T10:50:00.000Z"))
        #expect(none.from == none.to)
    }

    @Test func namesAreClassifiedHoweverTheyAreWritten() {
        for name in ["email", "Email Address", "email_address", "customer_email", "phoneNumber", "mobile", "First Name", "dob", "ip", "advertisingId"] {
            #expect(DataClassification.sensitivity(of: name) == .personal, "\(name)")
        }
        for name in ["religion", "Ethnicity", "health", "political_opinion", "income"] {
            #expect(DataClassification.sensitivity(of: name) == .sensitive, "\(name)")
        }
        for name in ["product_name", "campaign_name", "url", "order_id", "rating"] {
            #expect(DataClassification.sensitivity(of: name) == .none, "\(name)")
        }
        #expect(DataClassification.kind(of: "review_text") == .attitudinal)
        #expect(DataClassification.kind(of: "utm_source") == .engagement)
        #expect(DataClassification.kind(of: "cart_value") == .behavioral)
    }
}
