import Foundation
import KinshipTestSupport
import PostgresNIO
import Testing
@testable import IdentityService
@testable import KinshipCore
@testable import KinshipDatabase
@testable import KinshipOutbox

/// Identity's part of privacy: suppressed identifiers join nothing, and its erasure step removes every
/// row of the person's profiles, once, leaving everyone else's.
@Suite struct IdentityPrivacyTests {
    func erase(_ f: IdentityFixture, profiles: [UUID], request: UUID = UUID()) async throws {
        try await f.database.query(
            """
            INSERT INTO privacy_requests (workspace_id, id, kind, subject, status, requested_by, profile_ids)
            VALUES (\(f.workspace.id), \(request), 'erase', '[]', 'running', 'test', \(profiles)::uuid[])
            """,
            logger: TestDatabase.logger
        )
        for service in PrivacyStepService.allCases {
            try await f.database.query(
                "INSERT INTO privacy_request_steps (workspace_id, request_id, service) VALUES (\(f.workspace.id), \(request), \(service.rawValue))",
                logger: TestDatabase.logger
            )
        }
        let payload = PrivacyRequestMessage(requestId: request.lowercased, kind: .erase, profileIds: profiles.map(\.lowercased))
        let message = OutboxMessage(
            id: 1, topic: OutboxTopic.privacy.name, partition: 0, workspaceID: f.workspace.id, key: request.lowercased,
            payload: String(decoding: try JSONCoding.encoder().encode(payload), as: UTF8.self), createdAt: Date()
        )
        let consumer = PrivacyStepConsumer(directory: f.directory, logger: TestDatabase.logger)
        // Delivered twice, as after a crash between the step and the cursor: the second changes nothing.
        for _ in 0..<2 {
            try await f.database.transaction(logger: TestDatabase.logger) { connection in try await consumer.handle(message, on: connection) }
        }
    }

    func rows(_ f: IdentityFixture, _ table: String, profiles: [UUID], column: String = "profile_id") async throws -> Int {
        var binds = PostgresBindings()
        try binds.append(f.workspace.id)
        try binds.append(profiles)
        return try await f.database.query(
            PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table) WHERE workspace_id = $1 AND \(column) = ANY($2)", binds: binds),
            logger: TestDatabase.logger
        ).decode(Int.self).collectAll().first ?? -1
    }

    @Test func erasureRemovesEveryRowOfThePersonOnceAndNoOneElses() async throws {
        try await IdentityFixture.run { f in
            try await f.sendBatch([
                #"{"type": "page", "messageId": "a-1", "anonymousId": "anon-a"}"#,
                #"{"type": "identify", "messageId": "a-2", "anonymousId": "anon-a", "userId": "alice", "traits": {"email": "alice@example.com"}}"#,
                #"{"type": "identify", "messageId": "a-3", "anonymousId": "anon-a2", "traits": {"email": "alice@example.com"}}"#,
                #"{"type": "identify", "messageId": "b-1", "userId": "bob", "traits": {"email": "bob@example.com"}}"#,
            ])
            let alice = try #require(try await f.profile("user_id", "alice"))
            let bob = try #require(try await f.profile("user_id", "bob"))
            // Every profile merged into Alice's goes with it.
            let merged = try await f.database.query(
                "SELECT id FROM profiles WHERE workspace_id = \(f.workspace.id) AND merged_into = \(alice)", logger: TestDatabase.logger
            ).decode(UUID.self).collectAll()
            let profiles = [alice] + merged
            #expect(try await rows(f, "event_profiles", profiles: profiles) == 3)

            let request = UUID()
            try await erase(f, profiles: profiles, request: request)
            for table in ["event_profiles", "identities"] {
                #expect(try await rows(f, table, profiles: profiles) == 0, "\(table)")
            }
            #expect(try await rows(f, "profiles", profiles: profiles, column: "id") == 0)
            let events = try await f.database.query(
                "SELECT count(*)::int FROM events WHERE workspace_id = \(f.workspace.id) AND message_id LIKE 'a-%'", logger: TestDatabase.logger
            ).decode(Int.self).collectAll().first
            #expect(events == 0)
            let edges = try await f.database.query(
                "SELECT count(*)::int FROM identity_edges WHERE workspace_id = \(f.workspace.id)", logger: TestDatabase.logger
            ).decode(Int.self).collectAll().first
            #expect(edges == 1, "only Bob's edge is left")
            #expect(try await f.profile("user_id", "alice") == nil)
            #expect(try await f.profile("email", "alice@example.com") == nil)
            #expect(try await f.profile("user_id", "bob") == bob)

            let (status, removed) = try #require(try await f.database.query(
                "SELECT status, removed::text FROM privacy_request_steps WHERE request_id = \(request) AND service = 'identity'",
                logger: TestDatabase.logger
            ).decode((String, String).self).collectAll().first)
            #expect(status == "done")
            let counts = try JSONCoding.decode([String: Int].self, from: Data(removed.utf8))
            #expect(counts["events"] == 3 && counts["identities"] == 4 && counts["profiles"] == profiles.count, "\(counts)")
            // The request waits for segmentation's step.
            let requestStatus = try await f.database.query(
                "SELECT status FROM privacy_requests WHERE id = \(request)", logger: TestDatabase.logger
            ).decode(String.self).collectAll().first
            #expect(requestStatus == "running")
        }
    }

    @Test func aSuppressedIdentifierJoinsNoProfileAndItsEventsStayUnresolved() async throws {
        try await IdentityFixture.run { f in
            let graph = try await f.graph()
            let token = graph.token(Identifier(type: "email", value: "gone@example.com"))
            try await f.database.query(
                """
                INSERT INTO suppressed_identifiers (workspace_id, type, token, request_id)
                VALUES (\(f.workspace.id), 'email', decode(\(token), 'hex'), \(UUID()))
                """,
                logger: TestDatabase.logger
            )
            try await f.sendBatch([
                #"{"type": "identify", "messageId": "s-1", "userId": "gone-user", "traits": {"email": "  Gone@Example.com "}}"#,
                #"{"type": "identify", "messageId": "k-1", "userId": "kept", "traits": {"email": "kept@example.com"}}"#,
            ])
            #expect(try await f.profile("user_id", "gone-user") == nil)
            #expect(try await f.eventProfile("s-1") == nil)
            #expect(try await f.profile("user_id", "kept") != nil)
        }
    }

    @Test func aTraitTheWorkspacesOwnClassificationSealsIsMaskedForWhoMayNotSeePersonalData() async throws {
        try await IdentityFixture.run { f in
            let policy = #"{"classification": {"sensitive": ["shoe size"]}}"#
            try await f.database.query(
                "INSERT INTO privacy_policies (workspace_id, version, policy, updated_by) VALUES (\(f.workspace.id), 1, \(policy)::jsonb, 'test')",
                logger: TestDatabase.logger
            )
            try await f.sendBatch([#"{"type": "identify", "messageId": "s-1", "userId": "sam", "traits": {"shoe_size": "42", "plan": "gold"}}"#])
            let sam = try #require(try await f.profile("user_id", "sam"))
            let stored = try await f.database.query(
                "SELECT traits->'shoe_size'->'value' ? '$sealed', traits->'plan'->'value' ? '$sealed' FROM profiles WHERE id = \(sam)",
                logger: TestDatabase.logger
            ).decode((Bool, Bool).self).collectAll()
            #expect(stored.first?.0 == true && stored.first?.1 == false, "the policy seals shoe_size where it is stored, not plan")
            let masked = try #require(try await f.view(sam, pii: false))
            #expect(masked.traits["shoe_size"]?.value == .string("***"))
            #expect(masked.traits["plan"]?.value == .string("gold"))
            let clear = try #require(try await f.view(sam, pii: true))
            #expect(clear.traits["shoe_size"]?.value == .string("42"))
        }
    }
}
