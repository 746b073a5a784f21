import Foundation
import KinshipTestSupport
import Testing
@testable import IdentityService
import KinshipCore
import KinshipPrivacy
import KinshipDatabase
import KinshipOutbox
import KinshipService

/// Taking identifiers, or one event's joins, out of a profile: it splits where its graph splits.
@Suite struct UnmergeTests {
    /// Two people signed in on one shop tablet: the tablet's anonymous id joined them into one profile.
    private func sharedTablet(_ f: IdentityFixture) async throws -> (profile: UUID, first: String, second: String) {
        let first = try await f.send(#"{"type": "identify", "anonymousId": "shop-tablet", "traits": {"email": "arisa@example.com", "city": "Khon Kaen"}, "timestamp": "2026-03-01T00:00:00Z"}"#)
        let second = try await f.send(#"{"type": "identify", "anonymousId": "shop-tablet", "userId": "u-bank", "traits": {"email": "bank@example.com", "city": "Udon Thani", "plan": "gold"}, "timestamp": "2026-03-02T00:00:00Z"}"#)
        let profile = try #require(try await f.profile("email", "arisa@example.com"))
        #expect(try await f.profile("user_id", "u-bank") == profile, "the shared device joined both people")
        return (profile, first, second)
    }

    @Test func removingASharedDeviceSplitsTheProfileWhereItsGraphSplits() async throws {
        try await IdentityFixture.run { f in
            let (profile, first, second) = try await sharedTablet(f)
            let outcome = try await f.unmerge(profile, .identifier(type: "anonymous_id", value: " shop-tablet "))
            #expect(outcome.removedEdges == 2)
            #expect(outcome.parts.count == 3)
            #expect(try await f.liveProfiles() == 3)
            #expect(try await f.miscountedProfiles() == [], "each part's stored counts are its own identifiers")

            let bank = try #require(try await f.profile("user_id", "u-bank"))
            let arisa = try #require(try await f.profile("email", "arisa@example.com"))
            let tablet = try #require(try await f.profile("anonymous_id", "shop-tablet"))
            #expect(bank == profile, "the part with the strongest identifier (the user id) keeps the profile id")
            #expect(Set([bank, arisa, tablet]).count == 3)
            #expect(try await f.profile("email", "bank@example.com") == bank)
            #expect(try await f.eventProfile(first) == arisa, "each event follows its strongest identifier")
            #expect(try await f.eventProfile(second) == bank)

            let arisaView = try #require(try await f.view(arisa))
            #expect(arisaView.traits["city"]?.value == .string("Khon Kaen"), "traits are replayed from the part's own events")
            #expect(arisaView.traits["plan"] == nil)
            #expect(Set(arisaView.identifiers.map(\.value)) == ["arisa@example.com"], "values re-sealed under the new profile's key open")
            let bankView = try #require(try await f.view(bank))
            #expect(bankView.traits["city"]?.value == .string("Udon Thani"))
            #expect(bankView.splits.first?.newProfileIds.sorted() == [arisa.lowercased, tablet.lowercased].sorted())

            let changes = try await f.profileChanges()
            let split = try #require(changes.first { $0.kind == .split })
            #expect(split.profileId == profile.lowercased)
            #expect(Set(split.splitProfileIds ?? []) == [arisa.lowercased, tablet.lowercased])
            #expect(changes.contains { $0.kind == .created && $0.profileId == arisa.lowercased })
            #expect(changes.contains { $0.kind == .updated && $0.profileId == arisa.lowercased && $0.changedTraits == ["city", "email"] })

            let edges = try await f.database.query(
                "SELECT count(*)::int FROM identity_edges WHERE workspace_id = \(f.workspace.id) AND removed_at IS NOT NULL", logger: TestDatabase.logger
            ).decode(Int.self).collectAll()
            #expect(edges == [2], "removed joins stay in the history")
        }
    }

    @Test func removingOneEventsJoinsUndoesOnlyThatEvent() async throws {
        try await IdentityFixture.run { f in
            let (profile, _, second) = try await sharedTablet(f)
            let outcome = try await f.unmerge(profile, .event(messageID: second))
            #expect(outcome.removedEdges == 2)
            // The second event drew u-bank → bank@, u-bank → tablet: without them, three groups remain:
            // {arisa@, tablet} (the first event's join), {u-bank}, {bank@}.
            #expect(try await f.liveProfiles() == 3)
            let tablet = try await f.profile("anonymous_id", "shop-tablet")
            let arisa = try await f.profile("email", "arisa@example.com")
            #expect(tablet != nil && tablet == arisa)
            #expect(try await f.profile("user_id", "u-bank") == profile)
            #expect(try await f.profile("email", "bank@example.com") != profile)
        }
    }

    @Test func aProfileThatDoesNotFallApartKeepsItsShape() async throws {
        try await IdentityFixture.run { f in
            try await f.send(#"{"type": "identify", "userId": "u-1", "anonymousId": "a-1", "traits": {"email": "one@example.com"}}"#)
            let again = try await f.send(#"{"type": "identify", "userId": "u-1", "anonymousId": "a-1"}"#)
            let profile = try #require(try await f.profile("user_id", "u-1"))
            // The first event's joins still hold the three together.
            let outcome = try await f.unmerge(profile, .event(messageID: again))
            #expect(outcome.parts.count == 1)
            #expect(try await f.liveProfiles() == 1)
            #expect(try await f.profileChanges().contains { $0.kind == .split } == false)
        }
    }

    @Test func unmergeRefusesWhatTheProfileDoesNotHold() async throws {
        try await IdentityFixture.run { f in
            try await f.send(#"{"type": "identify", "userId": "u-2", "anonymousId": "a-2"}"#)
            try await f.send(#"{"type": "identify", "userId": "u-3"}"#)
            let profile = try #require(try await f.profile("user_id", "u-2"))
            let alone = try #require(try await f.profile("user_id", "u-3"))
            await #expect(throws: KinshipError.self) { try await f.unmerge(profile, .identifier(type: "email", value: "nobody@example.com")) }
            await #expect(throws: KinshipError.self) { try await f.unmerge(profile, .event(messageID: "no-such-event")) }
            await #expect(throws: KinshipError.self) { try await f.unmerge(alone, .identifier(type: "user_id", value: "u-3")) }
            await #expect(throws: KinshipError.self) { try await f.unmerge(UUID(), .identifier(type: "user_id", value: "u-2")) }
            #expect(try await f.liveProfiles() == 2)
        }
    }

    @Test func aMergedAwayIdUnmergesTheProfileItWentInto() async throws {
        try await IdentityFixture.run { f in
            try await f.send(#"{"type": "page", "anonymousId": "laptop-1"}"#)
            try await f.send(#"{"type": "page", "anonymousId": "phone-1"}"#)
            let laptop = try #require(try await f.profile("anonymous_id", "laptop-1"))
            let phone = try #require(try await f.profile("anonymous_id", "phone-1"))
            try await f.send(#"{"type": "identify", "userId": "u-4", "anonymousId": "laptop-1"}"#)
            try await f.send(#"{"type": "identify", "userId": "u-4", "anonymousId": "phone-1"}"#)
            #expect(try await f.profile("anonymous_id", "phone-1") == laptop)
            let outcome = try await f.unmerge(phone, .identifier(type: "anonymous_id", value: "phone-1"))
            #expect(outcome.profileId == laptop.lowercased)
            #expect(try await f.profile("anonymous_id", "phone-1") != laptop)
            #expect(try await f.profile("user_id", "u-4") == laptop)
        }
    }
}
