import Foundation
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import KinshipService
import KinshipTestSupport
import Testing
@testable import ReportingService

/// `/v1/privacy/policy`: analysts read it, admins replace it (a new version each time, audited), and a
/// policy that cannot be used is refused naming the field.
struct PrivacyPolicyRoutesTests {
    @Test func anAdminReplacesThePolicyAsANewAuditedVersionAndAnalystsReadIt() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ProfileEventsRouteTests.Shop(database)
            let app = try ReportingApplication.build(ServiceRuntime(configuration: TestKeys.configuration(.reporting)))
            try await app.test(.router) { client in
                let (admin, analyst, viewer) = (try #require(shop.keys[.admin]), try #require(shop.keys[.analyst]), try #require(shop.keys[.viewer]))
                let (status, body) = try await KeyRoutesTests.send(client, .get, "/v1/privacy/policy", key: analyst)
                #expect(status == .ok)
                let defaults = try JSONCoding.decoder().decode(VersionedPrivacyPolicy.self, from: body)
                #expect(defaults.version == 0 && defaults.policy == .standard)
                #expect(try await KeyRoutesTests.send(client, .get, "/v1/privacy/policy", key: viewer).0 == .forbidden)

                let policy = #"{"eventCategories": {"Coupon Sent": "marketing"}, "classification": {"sensitive": ["blood_type"]}}"#
                #expect(try await KeyRoutesTests.send(client, .put, "/v1/privacy/policy", key: analyst, body: policy).0 == .forbidden)
                let (saved, savedBody) = try await KeyRoutesTests.send(client, .put, "/v1/privacy/policy", key: admin, body: policy)
                #expect(saved == .ok)
                let first = try JSONCoding.decoder().decode(VersionedPrivacyPolicy.self, from: savedBody)
                #expect(first.version == 1 && first.policy.category(type: "track", event: "Coupon Sent") == "marketing")
                #expect(first.policy.classification.sensitivity(of: "Blood Type", describingPerson: false) == .sensitive)
                let second = try JSONCoding.decoder().decode(
                    VersionedPrivacyPolicy.self, from: try await KeyRoutesTests.send(client, .put, "/v1/privacy/policy", key: admin, body: "{}").1
                )
                #expect(second.version == 2 && second.policy == .standard)

                let (refused, refusal) = try await KeyRoutesTests.send(client, .put, "/v1/privacy/policy", key: admin, body: #"{"eventCategories": {"Coupon Sent": "ads"}}"#)
                #expect(refused == .badRequest)
                #expect(String(decoding: refusal, as: UTF8.self).contains("invalid_privacy_policy"))
                #expect(try await KeyRoutesTests.send(client, .put, "/v1/privacy/policy", key: admin, body: "[1]").0 == .badRequest)

                let audit = try await AuditLog(database: database, logger: TestDatabase.logger).entries(in: shop.workspace.id, action: PrivacyPolicyStore.changedAction)
                #expect(audit.map(\.target) == ["version 2", "version 1"])
            }
        }
    }
}
