import Foundation
import KinshipTestSupport
import Testing
@testable import IdentityService
import KinshipCore
import KinshipPrivacy
import KinshipDatabase
import KinshipOutbox
import KinshipService

/// Short event sequences and the profiles they must leave.
@Suite struct ResolutionScenarioTests {
    @Test func anonymousBrowsingThenSignUpIsOnePerson() async throws {
        try await IdentityFixture.run { f in
            let browsing = try await f.send(#"{"type": "page", "anonymousId": "anon-1", "name": "Home"}"#)
            let before = try #require(try await f.profile("anonymous_id", "anon-1"))
            try await f.send(#"{"type": "identify", "anonymousId": "anon-1", "userId": "u-1", "traits": {"email": "Somchai@Example.com", "plan": "gold"}}"#)
            let after = try #require(try await f.profile("user_id", "u-1"))
            #expect(after == before, "the known profile keeps the anonymous profile's id")
            #expect(try await f.profile("email", " somchai@example.COM ") == before)
            #expect(try await f.eventProfile(browsing) == before)
            #expect(try await f.liveProfiles() == 1)
            let view = try #require(try await f.view(before))
            #expect(Set(view.identifiers.map(\.type)) == ["anonymous_id", "user_id", "email"])
            #expect(view.traits["plan"]?.value == .string("gold"))
        }
    }

    @Test func aSharedFamilyComputerNeverMergesTwoUserIds() async throws {
        try await IdentityFixture.run { f in
            try await f.send(#"{"type": "identify", "anonymousId": "family-pc", "userId": "mother"}"#)
            let second = try await f.send(#"{"type": "identify", "anonymousId": "family-pc", "userId": "son"}"#)
            let mother = try #require(try await f.profile("user_id", "mother"))
            let son = try #require(try await f.profile("user_id", "son"))
            #expect(mother != son)
            #expect(try await f.profile("anonymous_id", "family-pc") == mother, "the device stays with its first user")
            #expect(try await f.eventProfile(second) == son, "the event goes to its strongest identifier's profile")
            #expect(try await f.liveProfiles() == 2)
        }
    }

    @Test func twoProfilesJoinedByAnEmailMergeIntoTheOlderAndOldIdsStillResolve() async throws {
        try await IdentityFixture.run { f in
            try await f.send(#"{"type": "identify", "anonymousId": "phone-app", "traits": {"email": "nok@example.com", "city": "Chiang Mai"}, "timestamp": "2026-01-01T00:00:00Z"}"#)
            try await f.send(#"{"type": "identify", "anonymousId": "laptop", "traits": {"phone": "081-234-5678", "city": "Bangkok"}, "timestamp": "2026-02-01T00:00:00Z"}"#)
            let older = try #require(try await f.profile("anonymous_id", "phone-app"))
            let younger = try #require(try await f.profile("anonymous_id", "laptop"))
            #expect(older != younger)
            try await f.send(#"{"type": "identify", "anonymousId": "laptop", "traits": {"email": "nok@example.com"}, "timestamp": "2026-03-01T00:00:00Z"}"#)
            #expect(try await f.profile("anonymous_id", "laptop") == older)
            #expect(try await f.profile("phone", "+66812345678") == older, "phones normalise to E.164 with the default region")
            #expect(try await f.liveProfiles() == 1)
            let view = try #require(try await f.view(younger))
            #expect(view.profileId == older.lowercased)
            #expect(view.requestedProfileId == younger.lowercased)
            #expect(view.merges.map(\.fromProfileId) == [younger.lowercased])
            #expect(view.traits["city"]?.value == .string("Bangkok"), "the later event's value wins")
            let rules = try await f.database.query(
                "SELECT rule FROM identity_edges WHERE workspace_id = \(f.workspace.id) ORDER BY id", logger: TestDatabase.logger
            ).decode(String.self).collectAll()
            #expect(rules == ["attach", "attach", "merge"], "each edge says which rule drew it")
        }
    }

    @Test func anEmailChangeKeepsOnePersonWhomBothAddressesFind() async throws {
        try await IdentityFixture.run { f in
            try await f.send(#"{"type": "identify", "userId": "u-mail", "traits": {"email": "old@example.com"}, "timestamp": "2026-01-01T00:00:00Z"}"#)
            try await f.send(#"{"type": "identify", "userId": "u-mail", "traits": {"email": "new@example.com"}, "timestamp": "2026-02-01T00:00:00Z"}"#)
            let profile = try #require(try await f.profile("user_id", "u-mail"))
            #expect(try await f.profile("email", "old@example.com") == profile)
            #expect(try await f.profile("email", "new@example.com") == profile)
            let view = try #require(try await f.view(profile))
            #expect(view.traits["email"]?.value == .string("new@example.com"), "the trait follows the latest event")
            #expect(try await f.liveProfiles() == 1)
        }
    }

    @Test func aLateEventWithAnOlderTimestampDoesNotOverwriteNewerTraits() async throws {
        try await IdentityFixture.run { f in
            try await f.send(#"{"type": "identify", "userId": "u-7", "traits": {"tier": "silver", "nickname": "Ann"}, "timestamp": "2026-05-01T00:00:00Z"}"#)
            try await f.send(#"{"type": "identify", "userId": "u-7", "traits": {"tier": "bronze", "nickname": null}, "timestamp": "2026-04-01T00:00:00Z"}"#)
            try await f.send(#"{"type": "identify", "userId": "u-7", "traits": {"nickname": null}, "timestamp": "2026-06-01T00:00:00Z"}"#)
            let profile = try #require(try await f.profile("user_id", "u-7"))
            let view = try #require(try await f.view(profile))
            #expect(view.traits["tier"]?.value == .string("silver"))
            #expect(view.traits["nickname"]?.value == .null, "null removes a trait")
        }
    }

    @Test func blockedValuesNeverJoinProfiles() async throws {
        try await IdentityFixture.run { f in
            for (n, placeholder) in ["undefined", "null", "0", "guest", "000-000", "[object Object]"].enumerated() {
                try await f.send(#"{"type": "identify", "userId": "person-\#(n)", "anonymousId": "\#(placeholder)", "traits": {"email": "anonymous"}}"#)
            }
            #expect(try await f.liveProfiles() == 6)
            #expect(try await f.profile("anonymous_id", "undefined") == nil)
        }
    }

    @Test func aliasJoinsThePreviousIdToTheUser() async throws {
        try await IdentityFixture.run { f in
            try await f.send(#"{"type": "track", "anonymousId": "cookie-9", "event": "Product Viewed"}"#)
            let anonymous = try #require(try await f.profile("anonymous_id", "cookie-9"))
            try await f.send(#"{"type": "alias", "userId": "member-9", "previousId": "cookie-9"}"#)
            #expect(try await f.profile("user_id", "member-9") == anonymous)
        }
    }

    @Test func externalIdsIdentifyAcrossSources() async throws {
        try await IdentityFixture.run { f in
            try await f.send(#"{"type": "track", "anonymousId": "pos-terminal-session", "event": "Order Completed", "context": {"externalIds": [{"id": "LINE-42", "type": "Line User"}]}}"#)
            try await f.send(#"{"type": "identify", "userId": "crm-42", "context": {"externalIds": [{"id": "LINE-42", "type": "line_user"}]}}"#)
            let profile = try #require(try await f.profile("user_id", "crm-42"))
            #expect(try await f.profile("line_user", "LINE-42") == profile)
            #expect(try await f.profile("anonymous_id", "pos-terminal-session") == profile)
        }
    }

    @Test func limitsAreEnforcedPerWorkspaceRules() async throws {
        try await IdentityFixture.run { f in
            var rules = IdentityRules()
            rules.limits["email"] = 2
            try await f.setRules(rules, version: 3)
            try await f.send(#"{"type": "identify", "userId": "many-mails", "traits": {"email": "a@example.com"}}"#)
            try await f.send(#"{"type": "identify", "userId": "many-mails", "traits": {"email": "b@example.com"}}"#)
            try await f.send(#"{"type": "identify", "userId": "many-mails", "traits": {"email": "c@example.com"}}"#)
            let profile = try #require(try await f.profile("user_id", "many-mails"))
            #expect(try await f.profile("email", "b@example.com") == profile)
            #expect(try await f.profile("email", "c@example.com") == nil)
            let conflicts = try await f.database.query(
                "SELECT rule_version FROM identity_conflicts WHERE workspace_id = \(f.workspace.id)", logger: TestDatabase.logger
            ).decode(Int.self).collectAll()
            #expect(conflicts == [3])
        }
    }

    @Test func identifierValuesAndPIITraitsAreMaskedWithoutPIIRightsAndNeverStoredInClear() async throws {
        try await IdentityFixture.run { f in
            try await f.send(#"{"type": "identify", "userId": "u-secret", "traits": {"email": "malee@example.co.th", "phone": "+66 89 000 1111", "firstName": "Malee"}}"#)
            let profile = try #require(try await f.profile("email", "malee@example.co.th"))
            let masked = try #require(try await f.view(profile, pii: false))
            #expect(masked.identifiers.first { $0.type == "email" }?.value == "m***@example.co.th")
            #expect(masked.traits["firstName"]?.value != .string("Malee"))
            let stored = try await f.database.query(
                """
                SELECT coalesce(string_agg(p.traits::text, ' '), '') || ' ' || coalesce((SELECT string_agg(encode(value_sealed, 'escape'), ' ') FROM identities WHERE workspace_id = \(f.workspace.id)), '')
                FROM profiles p WHERE p.workspace_id = \(f.workspace.id)
                """,
                logger: TestDatabase.logger
            ).decode(String.self).first(where: { _ in true }) ?? ""
            for secret in ["malee@example.co.th", "+66890001111", "Malee"] { #expect(!stored.contains(secret)) }
        }
    }
}
