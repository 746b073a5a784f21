import Foundation
import HummingbirdTesting
import KinshipCore
import KinshipPrivacy
import KinshipTestSupport
import PostgresNIO
import Testing
@testable import IngestionService

/// Consent stored earlier (`consent_refusals`, kept by segmentation) and the workspace's privacy policy
/// decide at ingestion, through the real application and database.
@Suite struct StoredConsentTests {
    @Test func aStoredRefusalWithholdsThePersonsEventsOfThatCategoryUntilItIsLifted() async throws {
        try await IngestionFixture.run { fixture, client in
            let token = fixture.keys.blindIndex.token(type: "user_id", normalizedValue: "u-9")
            try await fixture.database.query(
                """
                INSERT INTO consent_refusals (workspace_id, type, token, category, profile_id, refused, refused_at)
                VALUES (\(fixture.workspace.id), 'user_id', \(token), 'marketing', \(UUID()), true, '2026-01-01T00:00:00Z')
                """,
                logger: TestDatabase.logger
            )
            let refused = #"{"type": "track", "messageId": "s-1", "userId": "u-9", "event": "Email Opened"}"#
            let otherCategory = #"{"type": "track", "messageId": "s-2", "userId": "u-9", "event": "Product Viewed"}"#
            let statedNow = #"{"type": "track", "messageId": "s-3", "userId": " u-9 ", "event": "Email Opened", "context": {"consent": {"categoryPreferences": {"marketing": true}}}}"#
            let someoneElse = #"{"type": "track", "messageId": "s-4", "userId": "u-10", "event": "Email Opened"}"#
            let necessary = #"{"type": "identify", "messageId": "s-5", "userId": "u-9", "traits": {"plan": "gold"}}"#
            // Dated before the refusal, arriving late: collected while the person consented.
            let before = #"{"type": "track", "messageId": "s-7", "userId": "u-9", "event": "Email Opened", "timestamp": "2025-12-31T23:59:00Z"}"#
            let batch = #"{"batch": [\#(refused), \#(otherCategory), \#(statedNow), \#(someoneElse), \#(necessary), \#(before)]}"#
            try await client.execute(uri: "/v1/batch", method: .post, headers: fixture.headers(), body: body(batch)) { response in
                let json = try jsonBody(response)
                #expect(json["withheld"] == .number(1))
                #expect(json["stored"] == .number(5))
            }
            #expect(Set(try await fixture.storedEvents().keys) == ["s-2", "s-3", "s-4", "s-5", "s-7"])

            // Consent given later: segmentation turns the row off; ingestion reads the change within 2 s.
            try await fixture.database.query(
                "UPDATE consent_refusals SET refused = false, changed_xid = pg_current_xact_id() WHERE workspace_id = \(fixture.workspace.id)",
                logger: TestDatabase.logger
            )
            try await Task.sleep(for: .milliseconds(2200))
            let again = #"{"type": "track", "messageId": "s-6", "userId": "u-9", "event": "Email Opened"}"#
            try await client.execute(uri: "/v1/track", method: .post, headers: fixture.headers(), body: body(again)) { response in
                #expect(response.status == .ok)
            }
            #expect(try await fixture.storedEvents()["s-6"] != nil)
        }
    }

    @Test func aBusyWorkspacesStateIsRenewedInTheBackgroundAndNeverServedPastItsLifetime() async throws {
        try await IngestionFixture.run { fixture, _ in
            let cache = WorkspacePrivacyCache(database: fixture.database, logger: TestDatabase.logger, lifetime: .seconds(1))
            let workspaceID = fixture.workspace.id
            #expect(try await cache.state(for: workspaceID).refusals.isEmpty)
            let token = fixture.keys.blindIndex.token(type: "user_id", normalizedValue: "u-1")
            try await fixture.database.query(
                """
                INSERT INTO consent_refusals (workspace_id, type, token, category, profile_id, refused, refused_at)
                VALUES (\(workspaceID), 'user_id', \(token), 'marketing', \(UUID()), true, now())
                """,
                logger: TestDatabase.logger
            )
            // Past half the lifetime: the request goes on with what was read, and a renewal starts.
            try await Task.sleep(for: .milliseconds(600))
            #expect(try await cache.state(for: workspaceID).refusals.isEmpty)
            // Before the lifetime ends, the renewal has brought the refusal in.
            let deadline = ContinuousClock.now + .milliseconds(350)
            var renewed = false
            while !renewed && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                renewed = try await !cache.state(for: workspaceID).refusals.isEmpty
            }
            #expect(renewed)
        }
    }

    @Test func aSuppressedEmailInAnIdentifysTraitsIsWithheldWhateverTheCategory() async throws {
        try await IngestionFixture.run { fixture, client in
            let token = fixture.keys.blindIndex.token(type: "email", normalizedValue: "gone@example.com")
            try await fixture.database.query(
                "INSERT INTO suppressed_identifiers (workspace_id, type, token, request_id) VALUES (\(fixture.workspace.id), 'email', \(token), \(UUID()))",
                logger: TestDatabase.logger
            )
            let identify = #"{"type": "identify", "messageId": "x-1", "userId": "u-1", "traits": {"email": " GONE@example.com", "plan": "gold"}}"#
            let track = #"{"type": "track", "messageId": "x-2", "anonymousId": "a-1", "event": "Product Viewed", "context": {"traits": {"email": "gone@example.com"}}}"#
            let other = #"{"type": "identify", "messageId": "x-3", "userId": "u-2", "traits": {"email": "kept@example.com"}}"#
            try await client.execute(uri: "/v1/batch", method: .post, headers: fixture.headers(), body: body(#"{"batch": [\#(identify), \#(track), \#(other)]}"#)) { response in
                let json = try jsonBody(response)
                #expect(json["withheld"] == .number(2))
            }
            #expect(Set(try await fixture.storedEvents().keys) == ["x-3"])
        }
    }

    @Test func theWorkspacePolicyChoosesTheCategoryAndWhatIsSealed() async throws {
        try await IngestionFixture.run { fixture, client in
            let policy = #"{"eventCategories": {"Coupon Sent": "marketing"}, "messageTypeCategories": {"page": "necessary"}, "classification": {"sensitive": ["blood_type"]}}"#
            try await fixture.database.query(
                """
                INSERT INTO privacy_policies (workspace_id, version, policy, updated_by) VALUES (\(fixture.workspace.id), 1, \(policy)::jsonb, 'test')
                """,
                logger: TestDatabase.logger
            )
            let noMarketing = #""context": {"consent": {"categoryPreferences": {"marketing": false, "analytics": false}}}"#
            let coupon = #"{"type": "track", "messageId": "p-1", "userId": "u", "event": "Coupon Sent", \#(noMarketing)}"#
            let page = #"{"type": "page", "messageId": "p-2", "userId": "u", \#(noMarketing)}"#
            let health = #"{"type": "track", "messageId": "p-3", "userId": "u", "event": "Profile Updated", "properties": {"blood_type": "AB-negative"}}"#
            try await client.execute(uri: "/v1/batch", method: .post, headers: fixture.headers(), body: body(#"{"batch": [\#(coupon), \#(page), \#(health)]}"#)) { response in
                let json = try jsonBody(response)
                #expect(json["withheld"] == .number(1))
            }
            let stored = try await fixture.storedEvents()
            #expect(Set(stored.keys) == ["p-2", "p-3"], "the page is necessary under this policy; the coupon is marketing")
            #expect(!(try await fixture.storedText()).contains("AB-negative"), "a name the policy calls sensitive is sealed")
            #expect(stored["p-3"]?["properties"]?["blood_type"] == .string("AB-negative"))
        }
    }
}
