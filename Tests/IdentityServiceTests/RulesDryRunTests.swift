import Foundation
import KinshipTestSupport
import Testing
@testable import IdentityService
import KinshipCore
import KinshipPrivacy
import KinshipDatabase
import KinshipOutbox
import KinshipService

/// A dry run replays the recorded joins under proposed rules and counts how today's profiles would change.
@Suite struct RulesDryRunTests {
    @Test func theRulesInForceChangeNothing() async throws {
        try await IdentityFixture.run { f in
            try await f.send(#"{"type": "identify", "anonymousId": "family-pc", "userId": "mother"}"#)
            try await f.send(#"{"type": "identify", "anonymousId": "family-pc", "userId": "son"}"#)
            try await f.send(#"{"type": "identify", "anonymousId": "tab-1", "traits": {"email": "nok@example.com"}}"#)
            try await f.send(#"{"type": "identify", "anonymousId": "tab-2", "traits": {"email": "nok@example.com", "phone": "0812345678"}}"#)
            try await f.send(#"{"type": "page", "anonymousId": "lonely"}"#)
            let report = try await f.dryRun(IdentityRules())
            #expect(report.profiles == 4)
            #expect(report.identifiers == 8)
            #expect(report.profilesMerged == 0 && report.profilesSplit == 0 && report.profilesAddedBySplits == 0)
            #expect(report.replayMismatches == 0)
            #expect(report.conflictsUnderCurrentRules == 1, "the son's event could not bring the family computer")
            #expect(report.conflictsUnderProposedRules == 1)
        }
    }

    @Test func aHigherUserIdLimitWouldMergeTheFamilyComputer() async throws {
        try await IdentityFixture.run { f in
            try await f.send(#"{"type": "identify", "anonymousId": "family-pc", "userId": "mother"}"#)
            try await f.send(#"{"type": "identify", "anonymousId": "family-pc", "userId": "son"}"#)
            var proposed = IdentityRules()
            proposed.limits["user_id"] = 2
            let report = try await f.dryRun(proposed)
            #expect(report.profilesMerged == 1)
            #expect(report.profilesSplit == 0)
            #expect(report.conflictsUnderProposedRules == 0)
            #expect(try await f.liveProfiles() == 2, "a dry run writes nothing")
        }
    }

    @Test func aLowerEmailLimitWouldSplitProfiles() async throws {
        try await IdentityFixture.run { f in
            try await f.send(#"{"type": "identify", "userId": "u-1", "traits": {"email": "old@example.com"}}"#)
            try await f.send(#"{"type": "identify", "userId": "u-1", "traits": {"email": "new@example.com"}}"#)
            try await f.send(#"{"type": "identify", "userId": "u-2", "traits": {"email": "only@example.com"}}"#)
            var proposed = IdentityRules()
            proposed.limits["email"] = 1
            let report = try await f.dryRun(proposed)
            #expect(report.profilesSplit == 1)
            #expect(report.profilesAddedBySplits == 1)
            #expect(report.profilesMerged == 0)
            #expect(report.conflictsUnderProposedRules == 1)
        }
    }

    @Test func aNewlyBlockedValueWouldUnjoinWhatItJoined() async throws {
        try await IdentityFixture.run { f in
            try await f.send(#"{"type": "identify", "anonymousId": "a-1", "traits": {"email": "test@example.com"}}"#)
            try await f.send(#"{"type": "identify", "anonymousId": "a-2", "traits": {"email": "TEST@example.com"}}"#)
            #expect(try await f.liveProfiles() == 1)
            var proposed = IdentityRules()
            proposed.blockedValues = [" Test@Example.com "]
            let report = try await f.dryRun(proposed)
            #expect(report.profilesSplit == 1)
            #expect(report.profilesAddedBySplits == 1)
        }
    }

    @Test func unmergedJoinsStayUndoneInTheReplay() async throws {
        try await IdentityFixture.run { f in
            try await f.send(#"{"type": "identify", "anonymousId": "kiosk", "userId": "u-a"}"#)
            try await f.send(#"{"type": "identify", "anonymousId": "kiosk", "traits": {"email": "b@example.com"}}"#)
            let profile = try #require(try await f.profile("user_id", "u-a"))
            _ = try await f.unmerge(profile, .identifier(type: "anonymous_id", value: "kiosk"))
            let report = try await f.dryRun(IdentityRules())
            #expect(report.replayMismatches == 0)
            #expect(report.profilesMerged == 0 && report.profilesSplit == 0)
        }
    }
}

/// Rules as operators send them: defaults for what is left out, refusals that name the field.
struct IdentityRulesParsingTests {
    @Test func keysLeftOutKeepTheirDefaults() throws {
        let rules = try IdentityRules.parse(Data(#"{"limits": {"email": 2}, "blockedValues": ["test@example.com"]}"#.utf8))
        #expect(rules.limits == ["email": 2])
        #expect(rules.limit(for: "user_id") == 10, "a limits object replaces the defaults; unnamed types get defaultLimit")
        #expect(rules.priority == IdentityRules().priority)
        #expect(rules.blockedValues == ["test@example.com"])
    }

    @Test(arguments: [
        (#"[1, 2]"#, "JSON object"),
        (#"{"limit": {"email": 2}}"#, "Unknown field 'limit'"),
        (#"{"limits": {"email": "two"}}"#, "limits.email"),
        (#"{"limits": {"email": 0}}"#, "limits.email"),
        (#"{"priority": ["user_id", "user_id"]}"#, "priority"),
        (#"{"priority": ["User Id"]}"#, "priority"),
        (#"{"defaultRegion": "XX"}"#, "defaultRegion"),
        (#"{"sizeAlarm": 1}"#, "sizeAlarm"),
    ])
    func badRulesAreRefusedNamingTheField(body: String, mentions: String) throws {
        do {
            _ = try IdentityRules.parse(Data(body.utf8))
            Issue.record("accepted \(body)")
        } catch let error as KinshipError {
            #expect(error.code == .invalidRules)
            #expect(error.message.contains(mentions), "\(error.message)")
        }
    }
}
