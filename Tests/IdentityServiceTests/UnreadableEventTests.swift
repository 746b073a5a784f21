import Foundation
import KinshipTestSupport
import PostgresNIO
import Testing
@testable import IdentityService
import KinshipCore
import KinshipDatabase
import KinshipOutbox

/// An event identity cannot read costs itself only: it is recorded as rejected, with why, and the other
/// events of its outbox message are resolved in the same transaction (nothing is retried or dead-lettered).
@Suite struct UnreadableEventTests {
    func rejections(_ f: IdentityFixture) async throws -> [String: String] {
        var found: [String: String] = [:]
        for try await (messageId, reason) in try await f.database.query(
            "SELECT message_id, reason FROM event_rejections WHERE workspace_id = \(f.workspace.id) AND consumer_group = 'identity'",
            logger: TestDatabase.logger
        ).decode((String, String).self) {
            found[messageId] = reason
        }
        return found
    }

    @Test func anUnopenableValueRejectsItsEventAndNotItsNeighbours() async throws {
        try await IdentityFixture.run { f in
            // Stored as if sealed (the fixture seals like ingestion, which leaves a marked value as it is).
            let (ids, messages) = try await f.store([
                #"{"type": "identify", "messageId": "good-1", "userId": "alice", "traits": {"email": "alice@example.com"}}"#,
                #"{"type": "identify", "messageId": "poison", "userId": "mallory", "traits": {"email": {"$sealed": "AAAA"}}}"#,
                #"{"type": "identify", "messageId": "good-2", "userId": "bob", "traits": {"email": "bob@example.com"}}"#,
            ])
            // One outbox message holds all three, as ingestion writes them.
            try await f.resolve(try IdentityFixture.grouped(messages, size: ids.count))
            #expect(try await f.profile("user_id", "alice") != nil)
            #expect(try await f.profile("user_id", "bob") != nil)
            #expect(try await f.profile("user_id", "mallory") == nil)
            #expect(try await f.eventProfile("poison") == nil)
            let rejected = try await rejections(f)
            #expect(Array(rejected.keys) == ["poison"])
            #expect(rejected["poison"]?.contains("could not be opened") == true)
        }
    }

    @Test func aValueSealedForAnotherPathRejectsItsEvent() async throws {
        try await IdentityFixture.run { f in
            let (_, first) = try await f.store([#"{"type": "identify", "messageId": "source-of-copy", "userId": "carol", "traits": {"email": "carol@example.com"}}"#])
            try await f.resolve(first)
            let sealedEmail = try #require(try await f.database.query(
                "SELECT (message->'traits'->'email')::text FROM events WHERE workspace_id = \(f.workspace.id) AND message_id = 'source-of-copy'",
                logger: TestDatabase.logger
            ).decode(String.self).collectAll().first)
            // A genuine ciphertext moved to another field (its path is bound into it) does not open there.
            let (_, second) = try await f.store([
                #"{"type": "identify", "messageId": "moved", "userId": "dave", "traits": {"phone": \#(sealedEmail)}}"#,
                #"{"type": "identify", "messageId": "after", "userId": "erin"}"#,
            ])
            try await f.resolve(try IdentityFixture.grouped(second, size: 2))
            #expect(try await f.profile("user_id", "erin") != nil)
            #expect(try await rejections(f)["moved"]?.contains("tampered") == true)
        }
    }
}
