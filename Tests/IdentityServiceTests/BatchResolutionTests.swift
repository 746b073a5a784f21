import Foundation
import KinshipTestSupport
import PostgresNIO
import Testing
@testable import IdentityService
import KinshipCore
import KinshipPrivacy
import KinshipDatabase
import KinshipOutbox
import KinshipService

/// A consumer batch is resolved in memory and written at once; it must leave exactly what the same
/// events leave when resolved one at a time.
@Suite struct BatchResolutionTests {
    /// A stream that exercises every rule: merges (also chains of them inside a batch), a refused merge
    /// (two user ids on one computer), alias, external ids, blocked values, late events, trait removal.
    static func stream() -> [String] {
        var events: [String] = []
        for n in 0..<6 {
            events += [
                #"{"type": "page", "anonymousId": "laptop-\#(n)", "timestamp": "2026-01-0\#(n + 1)T10:00:00Z"}"#,
                #"{"type": "page", "anonymousId": "phone-\#(n)", "timestamp": "2026-01-0\#(n + 1)T11:00:00Z"}"#,
                #"{"type": "identify", "anonymousId": "laptop-\#(n)", "traits": {"email": "person\#(n)@example.com", "city": "Chiang Mai", "tier": "silver"}, "timestamp": "2026-02-01T00:00:00Z"}"#,
                #"{"type": "identify", "anonymousId": "phone-\#(n)", "userId": "member-\#(n)", "traits": {"email": "person\#(n)@example.com", "tier": "gold"}, "timestamp": "2026-03-01T00:00:00Z"}"#,
                #"{"type": "identify", "userId": "member-\#(n)", "traits": {"tier": "bronze", "city": null}, "timestamp": "2026-01-15T00:00:00Z"}"#,
                #"{"type": "track", "anonymousId": "family-pc", "userId": "member-\#(n)", "event": "Order Completed", "context": {"externalIds": [{"id": "LINE-\#(n)", "type": "line_user"}]}}"#,
                #"{"type": "alias", "previousId": "legacy-\#(n)", "userId": "member-\#(n)"}"#,
                #"{"type": "identify", "anonymousId": "undefined", "userId": "member-\#(n)", "traits": {"phone": "08123450\#(n)0"}, "timestamp": "2026-04-01T00:00:00Z"}"#,
            ]
        }
        return events
    }

    /// Each live profile as its identifiers and current traits; plus the edge and conflict counts.
    static func state(_ f: IdentityFixture) async throws -> (profiles: Set<String>, edges: Int, conflicts: Int, merges: Int) {
        #expect(try await f.miscountedProfiles() == [], "stored counts match the identifiers and merges")
        let ids = try await f.database.query(
            "SELECT id FROM profiles WHERE workspace_id = \(f.workspace.id) AND merged_into IS NULL", logger: TestDatabase.logger
        ).decode(UUID.self).collectAll()
        var profiles: Set<String> = []
        for id in ids {
            let view = try #require(try await f.view(id))
            let identifiers = view.identifiers.map { "\($0.type):\($0.value)" }.sorted()
            let traits = view.traits.map { "\($0.key)=\($0.value.value.serialized())@\($0.value.at)" }.sorted()
            profiles.insert((identifiers + traits).joined(separator: " "))
        }
        let counts = try await f.database.query(
            """
            SELECT (SELECT count(*)::int FROM identity_edges WHERE workspace_id = \(f.workspace.id)),
                   (SELECT count(*)::int FROM identity_conflicts WHERE workspace_id = \(f.workspace.id)),
                   (SELECT count(*)::int FROM profile_merges WHERE workspace_id = \(f.workspace.id))
            """,
            logger: TestDatabase.logger
        ).decode((Int, Int, Int).self).collectAll()[0]
        return (profiles, counts.0, counts.1, counts.2)
    }

    /// How many events resolved to a profile.
    static func resolvedEvents(_ f: IdentityFixture) async throws -> Int {
        try await f.database.query(
            "SELECT count(*)::int FROM event_profiles WHERE workspace_id = \(f.workspace.id)", logger: TestDatabase.logger
        ).decode(Int.self).collectAll()[0]
    }

    @Test(arguments: [2, 7, 48])
    func batchesLeaveWhatOneAtATimeLeaves(batchSize: Int) async throws {
        let events = Self.stream()
        let single = try await IdentityFixture.run { f in
            for event in events { try await f.send(event) }
            return try await Self.state(f)
        }
        #expect(single.profiles.count == 6, "one profile per person: \(single.profiles)")
        #expect(single.conflicts == 5, "the family computer stays with its first member")
        let batched = try await IdentityFixture.run { f in
            for start in stride(from: 0, to: events.count, by: batchSize) {
                try await f.sendBatch(Array(events[start..<min(start + batchSize, events.count)]))
            }
            return try await Self.state(f)
        }
        #expect(batched.profiles == single.profiles)
        #expect(batched.edges == single.edges && batched.conflicts == single.conflicts && batched.merges == single.merges)
    }

    /// Ingestion's messages reference several events each; a batch takes whole messages up to its
    /// number of events, and the result is the same as one event at a time.
    @Test func messagesOfSeveralEventsLeaveWhatOneAtATimeLeaves() async throws {
        let events = Self.stream()
        let (single, resolvedOneByOne) = try await IdentityFixture.run { f in
            for event in events { try await f.send(event) }
            return (try await Self.state(f), try await Self.resolvedEvents(f))
        }
        let (grouped, resolvedGrouped) = try await IdentityFixture.run { f in
            let messages = try IdentityFixture.grouped(try await f.store(events).messages, size: 5)
            #expect(messages.count == (events.count + 4) / 5)
            // 12 events a batch: two messages of five; a batch always takes at least one whole message.
            #expect(try await f.handleOnce(messages, mostEventsPerBatch: 12) == 2)
            #expect(try await f.handleOnce(Array(messages.dropFirst(2)), mostEventsPerBatch: 3) == 1)
            try await f.resolve(Array(messages.dropFirst(3)), mostEventsPerBatch: 12)
            return (try await Self.state(f), try await Self.resolvedEvents(f))
        }
        #expect(resolvedGrouped == resolvedOneByOne)
        #expect(grouped.profiles == single.profiles)
        #expect(grouped.edges == single.edges && grouped.conflicts == single.conflicts && grouped.merges == single.merges)
    }

    @Test func aProfileMadeAndMergedInsideOneBatchStillResolvesAndIsAnnounced() async throws {
        try await IdentityFixture.run { f in
            let ids = try await f.sendBatch([
                #"{"type": "page", "anonymousId": "tab-a"}"#,
                #"{"type": "page", "anonymousId": "tab-b"}"#,
                #"{"type": "identify", "anonymousId": "tab-a", "userId": "u-9", "traits": {"name": "Nok"}}"#,
                #"{"type": "identify", "anonymousId": "tab-b", "userId": "u-9"}"#,
            ])
            let profile = try #require(try await f.profile("user_id", "u-9"))
            #expect(try await f.profile("anonymous_id", "tab-b") == profile)
            #expect(try await f.liveProfiles() == 1)
            for id in ids { #expect(try await f.eventProfile(id) == profile, "every event points at the surviving profile") }
            let view = try #require(try await f.view(profile))
            #expect(view.merges.count == 1)
            #expect(view.traits["name"]?.value == .string("Nok"))
            let merged = try #require(view.merges.first.flatMap { UUID(uuidString: $0.fromProfileId) })
            #expect(try await f.view(merged)?.profileId == profile.lowercased, "the merged-away id resolves")
            let kinds = try await f.profileChanges().map(\.kind)
            #expect(kinds.filter { $0 == .created }.count == 2)
            #expect(kinds.filter { $0 == .merged }.count == 1)
        }
    }

    @Test func concurrentBatchesEndWithTheSerialGraph() async throws {
        let events = ConcurrentResolutionTests.stream()
        let serial = try await IdentityFixture.run { f in
            for event in events { try await f.send(event) }
            return try await ConcurrentResolutionTests.graph(f)
        }
        let concurrent = try await IdentityFixture.run { f in
            var shuffled = events
            shuffled.shuffle()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<4 {
                    let slice = stride(from: worker, to: shuffled.count, by: 4).map { shuffled[$0] }
                    group.addTask {
                        for start in stride(from: 0, to: slice.count, by: 10) {
                            try await f.sendBatchRetrying(Array(slice[start..<min(start + 10, slice.count)]))
                        }
                    }
                }
                try await group.waitForAll()
            }
            return try await ConcurrentResolutionTests.graph(f)
        }
        #expect(concurrent == serial)
    }

    /// Runs `body` while another transaction holds the lock of anonymous id `device`; `release` ends it.
    func holding(
        _ device: String, _ f: IdentityFixture, _ body: (_ release: () async throws -> Void) async throws -> Void
    ) async throws {
        let graph = try await f.graph()
        let identifier = Identifier(type: Identifier.anonymousID, value: device)
        try await f.database.withConnection { holder in
            try await holder.query("BEGIN", logger: TestDatabase.logger)
            try await graph.lockIdentifiers([(identifier.type, graph.token(identifier))], on: holder)
            try await body { try await holder.query("COMMIT", logger: TestDatabase.logger) }
        }
    }

    /// When another transaction holds an identifier of a batch's later half, the batch resolves the events
    /// before it and leaves the rest, in order, to the next batch; a batch whose first event must wait, waits.
    @Test func eventsBehindAHeldIdentifierWaitForTheNextBatch() async throws {
        try await IdentityFixture.run { f in
            let (ids, messages) = try await f.store([
                #"{"type": "track", "event": "A", "anonymousId": "before-1"}"#,
                #"{"type": "track", "event": "B", "anonymousId": "before-2"}"#,
                #"{"type": "identify", "anonymousId": "held-device", "userId": "held-user"}"#,
                #"{"type": "track", "event": "D", "anonymousId": "after-1"}"#,
            ])
            try await holding("held-device", f) { release in
                let batch = Task { try await f.handleOnce(messages) }
                let resolved = try await poll(timeout: .seconds(10), every: .milliseconds(100)) {
                    try await f.eventProfile(ids[1]) != nil
                }
                guard resolved else {
                    try await release()
                    _ = try? await batch.value
                    Issue.record("the batch waited for the held identifier instead of resolving the events before it")
                    return
                }
                #expect(try await batch.value == 2, "the events before the held identifier")
                #expect(try await f.eventProfile(ids[0]) != nil)
                #expect(try await f.eventProfile(ids[1]) != nil)
                #expect(try await f.eventProfile(ids[2]) == nil)
                #expect(try await f.eventProfile(ids[3]) == nil, "not past the held event: order is kept")

                let rest = Task { try await f.handleOnce(Array(messages.dropFirst(2))) }
                try await Task.sleep(for: .milliseconds(300))
                #expect(try await f.eventProfile(ids[2]) == nil, "the first event waits for the holder")
                try await release()
                #expect(try await rest.value == 2)
            }
            let held = try await f.eventProfile(ids[2])
            #expect(held != nil)
            #expect(try await f.eventProfile(ids[3]) != nil)
            #expect(try await f.profile("user_id", "held-user") == held)
        }
    }

    /// A held identifier in a batch's first half makes the whole batch wait: a short prefix now would cost
    /// reading and opening the rest again.
    @Test func aHeldIdentifierEarlyInTheBatchMakesItWaitWhole() async throws {
        try await IdentityFixture.run { f in
            let (ids, messages) = try await f.store([
                #"{"type": "track", "event": "A", "anonymousId": "early-1"}"#,
                #"{"type": "track", "event": "B", "anonymousId": "early-held"}"#,
                #"{"type": "track", "event": "C", "anonymousId": "early-2"}"#,
                #"{"type": "track", "event": "D", "anonymousId": "early-3"}"#,
            ])
            try await holding("early-held", f) { release in
                let batch = Task { try await f.handleOnce(messages) }
                try await Task.sleep(for: .milliseconds(300))
                #expect(try await f.eventProfile(ids[0]) == nil, "nothing resolved while waiting")
                try await release()
                #expect(try await batch.value == 4)
            }
            for id in ids { #expect(try await f.eventProfile(id) != nil) }
        }
    }

    /// Owners are read first as the identifiers point; an identifier left pointing at a merged-away
    /// profile (merges move every identifier, so only a race or a damaged row does this) still resolves to
    /// where that profile went.
    @Test func anIdentifierPointingAtAMergedAwayProfileResolvesToItsSurvivor() async throws {
        try await IdentityFixture.run { f in
            try await f.send(#"{"type": "identify", "anonymousId": "stale-device", "userId": "stale-old"}"#)
            try await f.send(#"{"type": "identify", "userId": "stale-survivor"}"#)
            let old = try #require(try await f.profile("user_id", "stale-old"))
            let survivor = try #require(try await f.profile("user_id", "stale-survivor"))
            try await f.database.query(
                "UPDATE profiles SET merged_into = \(survivor) WHERE workspace_id = \(f.workspace.id) AND id = \(old)", logger: TestDatabase.logger
            )
            let id = try await f.send(#"{"type": "track", "event": "Visit", "anonymousId": "stale-device"}"#)
            #expect(try await f.eventProfile(id) == survivor)
        }
    }

    /// Last seen is kept to the hour: an identifier seen again is rewritten only when its last sighting
    /// is over an hour old.
    @Test func lastSeenMovesOnlyWhenOverAnHourOld() async throws {
        try await IdentityFixture.run { f in
            try await f.send(#"{"type": "identify", "anonymousId": "kiosk-1", "userId": "seen-1"}"#)
            let profile = try #require(try await f.profile("user_id", "seen-1"))
            try await f.database.query(
                """
                UPDATE identities SET last_seen_at = CASE type WHEN 'user_id' THEN now() - interval '3 hours' ELSE now() - interval '10 minutes' END
                WHERE workspace_id = \(f.workspace.id) AND profile_id = \(profile)
                """,
                logger: TestDatabase.logger
            )
            try await f.send(#"{"type": "track", "event": "Visit", "anonymousId": "kiosk-1", "userId": "seen-1"}"#)
            let view = try #require(try await f.view(profile))
            let ages = Dictionary(uniqueKeysWithValues: view.identifiers.map { ($0.type, Date().timeIntervalSince($0.lastSeenAt)) })
            #expect(try #require(ages["user_id"]) < 60, "over an hour old: rewritten")
            #expect(try #require(ages["anonymous_id"]) > 9 * 60, "seen within the hour: left as it was")
        }
    }
}
