import Foundation
import Hummingbird
import HummingbirdTesting
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import KinshipTestSupport
import PostgresNIO
import Testing
@testable import IngestionService

/// A group as large as a full batch is one statement like a lone message: the same rules for each id, and
/// every byte of the text stored as sent.
@Suite struct LargeGroupTests {
    /// The size of a large batch.
    static let count = 600

    /// A batch of `count` messages, the n-th message's text carrying control characters, quotes and non-ASCII.
    static func batch(_ count: Int, prefix: String) -> (body: String, texts: [String: String]) {
        var texts: [String: String] = [:]
        let messages = (0..<count).map { n in
            let text = "tab\there newline\nthere return\r back\\slash \"quoted\" é 漢 \(n)"
            texts["\(prefix)-\(n)"] = text
            let encoded = JSONValue.string(text).serialized()
            return #"{"type": "track", "messageId": "\#(prefix)-\#(n)", "userId": "user-\#(n)", "event": "Large", "properties": {"note": \#(encoded), "email": "p\#(n)@example.com"}}"#
        }
        return (#"{"batch": [\#(messages.joined(separator: ","))]}"#, texts)
    }

    @Test func aLargeBatchStoresExactlyWhatWasSentAndEachIdOnce() async throws {
        let count = Self.count
        try await IngestionFixture.run { fixture, client in
            // Seen within the window (a repeat), and seen before the window (stored again).
            try await fixture.database.query(
                """
                INSERT INTO event_message_ids (workspace_id, source_id, message_id, received_at)
                VALUES (\(fixture.workspace.id), \(fixture.sourceID), 'cp-1', now() - interval '1 day'),
                       (\(fixture.workspace.id), \(fixture.sourceID), 'cp-2', now() - interval '30 days')
                """,
                logger: TestDatabase.logger
            )
            var (batch, texts) = Self.batch(count, prefix: "cp")
            // The same id twice in one request: the first is stored.
            batch = batch.replacingOccurrences(of: #"]}"#, with: #", {"type": "track", "messageId": "cp-5", "userId": "u", "event": "Again"}]}"#)
            try await client.execute(uri: "/v1/batch", method: .post, headers: fixture.headers(), body: body(batch)) { response in
                #expect(response.status == .ok)
                let json = try jsonBody(response)
                #expect(json["stored"] == .number(Double(count - 1)))
                #expect(json["duplicates"] == .number(2))
            }
            let events = try await fixture.storedEvents()
            #expect(events.count == count - 1)
            #expect(events["cp-1"] == nil)
            for (messageId, text) in texts where messageId != "cp-1" {
                #expect(events[messageId]?["properties"]?["note"] == .string(text))
                #expect(events[messageId]?["event"] == .string("Large"))
            }
            #expect(events["cp-7"]?["userId"] == .string("user-7"))
            #expect(events["cp-7"]?["properties"]?["email"] == .string("p7@example.com"))
            #expect(try await fixture.outboxReferences() == count - 1)
            // The row's columns, not only its JSON.
            let columns = try await fixture.database.query(
                "SELECT type, event, event_time = (message->>'timestamp')::timestamptz FROM events WHERE workspace_id = \(fixture.workspace.id) AND message_id = 'cp-3'",
                logger: TestDatabase.logger
            ).decode((String, String, Bool).self).collectAll()
            #expect(columns.map { $0.0 } == ["track"])
            #expect(columns.map { $0.1 } == ["Large"])
            #expect(columns.map { $0.2 } == [true])
        }
    }

    @Test func anIdClaimedByAnotherWriterMeanwhileIsARepeatNotAFailure() async throws {
        let count = Self.count
        try await IngestionFixture.run { fixture, client in
            let (batch, _) = Self.batch(count, prefix: "race")
            try await fixture.database.withConnection { other in
                // Another writer has claimed race-9 and not committed yet.
                try await other.query("BEGIN", logger: TestDatabase.logger)
                try await other.query(
                    "INSERT INTO event_message_ids (workspace_id, source_id, message_id, received_at) VALUES (\(fixture.workspace.id), \(fixture.sourceID), 'race-9', now())",
                    logger: TestDatabase.logger
                )
                async let answer = client.execute(uri: "/v1/batch", method: .post, headers: fixture.headers(), body: body(batch)) { try jsonBody($0) }
                // Commit once the service's statement waits for that row's lock: it then sees the claim.
                _ = try await poll(timeout: .seconds(10), every: .milliseconds(20)) {
                    let waiting = try await fixture.database.query(
                        "SELECT count(*)::int FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO event_message_ids%'",
                        logger: TestDatabase.logger
                    ).decode(Int.self).first(where: { _ in true }) ?? 0
                    return waiting > 0
                }
                try await other.query("COMMIT", logger: TestDatabase.logger)
                let json = try await answer
                #expect(json["stored"] == .number(Double(count - 1)))
                #expect(json["duplicates"] == .number(1))
            }
            #expect(try await fixture.count("events") == count - 1)
            #expect(try await fixture.outboxReferences() == count - 1)
            #expect(try await fixture.storedEvents()["race-9"] == nil)
        }
    }

    /// Two processes can receive one message in the same millisecond, and the events' key is the workspace,
    /// that millisecond and the id: the second writer's statement may meet the first's event before its claim.
    @Test func theSameMessageReceivedInTheSameMillisecondByAnotherWriterIsARepeat() async throws {
        try await TestDatabase.withClient { database in
            let logger = TestDatabase.logger
            let tenancy = TenancyStore(database: database, keyring: TestKeys.keyring, logger: logger)
            let workspace = try await tenancy.createWorkspace(name: TestKeys.uniqueName("same-ms"), actor: "test")
            let source = try await tenancy.createSource(in: workspace, name: "web", actor: "test").owner
            let receivedAt = StoredTime(Date())
            let json = #"{"type":"track","messageId":"same-ms","userId":"u","event":"Twice"}"#
            let message = PreparedMessage(
                messageId: "same-ms", routingKey: "00", type: .track, event: "Twice", eventTime: receivedAt, json: Array(json.utf8),
                reference: EventReference(messageId: "same-ms", receivedAt: receivedAt.text).payload
            )
            let batch = WriteBatch(source: source, receivedAt: receivedAt, messages: [message], failures: [])
            let writer = EventWriter(queue: CommitQueue(), database: database, logger: logger, writers: 1, dedupWindowDays: 7)
            try await database.withConnection { other in
                // The other process's write of the same message, not committed yet.
                try await other.query("BEGIN", logger: logger)
                try await other.query(
                    "INSERT INTO events (workspace_id, received_at, message_id, source_id, type, event, event_time, message) VALUES (\(workspace.id), \(receivedAt), 'same-ms', \(source.id), 'track', 'Twice', \(receivedAt), \(json)::jsonb)",
                    logger: logger
                )
                try await other.query(
                    "INSERT INTO event_message_ids (workspace_id, source_id, message_id, received_at) VALUES (\(workspace.id), \(source.id), 'same-ms', \(receivedAt))",
                    logger: logger
                )
                async let outcomes = writer.store([batch])
                _ = try await poll(timeout: .seconds(10), every: .milliseconds(20)) {
                    let waiting = try await database.query(
                        "SELECT count(*)::int FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO event%'",
                        logger: logger
                    ).decode(Int.self).first(where: { _ in true }) ?? 0
                    return waiting > 0
                }
                try await other.query("COMMIT", logger: logger)
                #expect(try await outcomes == [WriteOutcome(stored: 0, duplicates: 1)])
            }
            let stored = try await database.query(
                "SELECT count(*)::int FROM events WHERE workspace_id = \(workspace.id)", logger: logger
            ).decode(Int.self).first(where: { _ in true })
            #expect(stored == 1)
        }
    }
}
