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

/// `properties` and `traits` ingestion passes through reach Postgres as sent, and whatever it cannot
/// pass through is normalised or refused per message, never failing the shared transaction.
@Suite struct PassedThroughStorageTests {
    /// `message->'properties'` of each stored event, as Postgres prints it, by message id.
    func storedProperties(_ fixture: IngestionFixture) async throws -> [String: String] {
        var stored: [String: String] = [:]
        for try await (messageId, properties) in try await fixture.database.query(
            "SELECT message_id, coalesce(message->'properties', 'null')::text FROM events WHERE workspace_id = \(fixture.workspace.id)",
            logger: TestDatabase.logger
        ).decode((String, String).self) {
            stored[messageId] = properties
        }
        return stored
    }

    @Test func propertiesArriveAtRestAsSentAndUnusualNumbersAsDoubles() async throws {
        try await IngestionFixture.run { fixture, client in
            let batch = #"""
            {"batch": [
              {"type": "track", "messageId": "pt-1", "userId": "u", "event": "Order Completed", "properties": {"total": 1.50, "id": 12345678901234567890}},
              {"type": "track", "messageId": "pt-2", "userId": "u", "event": "E", "properties": {"tiny": 1e-99999, "big": 1E+3}},
              {"type": "track", "messageId": "pt-3", "userId": "u", "event": "E", "properties": {"bad": "a\u0000b"}},
              {"type": "track", "messageId": "pt-4", "userId": "u", "event": "E", "properties": {"title": "\u0e44\u0e17\u0e22 \ud83d\ude00"}}
            ]}
            """#
            try await client.execute(uri: "/v1/batch", method: .post, headers: fixture.headers(), body: body(batch)) { response in
                #expect(response.status == .ok)
                let json = try jsonBody(response)
                #expect(json["stored"] == .number(3))
                #expect(json["refused"]?.arrayValue?.map { $0["code"] } == [.string("invalid_character")])
            }
            let stored = try await storedProperties(fixture)
            // The scale and digits sent are kept: the text went to Postgres untouched.
            #expect(stored["pt-1"] == #"{"id": 12345678901234567890, "total": 1.50}"#)
            // Postgres `numeric` refuses 1e-99999 as text; ingestion stored the nearest Double instead.
            #expect(stored["pt-2"] == #"{"big": 1000, "tiny": 0}"#)
            #expect(stored["pt-3"] == nil)
            #expect(stored["pt-4"] == #"{"title": "ไทย 😀"}"#)
            #expect(try await fixture.failedCodes() == ["invalid_character"])
        }
    }

    @Test func piiInPassedThroughObjectsIsFoundHoweverItsKeyIsWritten() async throws {
        try await IngestionFixture.run { fixture, client in
            let batch = #"""
            {"batch": [
              {"type": "identify", "messageId": "pii-1", "userId": "u", "traits": {"plan": "pro", "E_Mail": "one@example.com"}},
              {"type": "track", "messageId": "pii-2", "userId": "u", "event": "E", "properties": {"ph\u006fne": "+66 81 234 5678"}},
              {"type": "track", "messageId": "pii-3", "userId": "u", "event": "E", "properties": {"email": "first@example.com"}, "properties": {"sku": "s-1"}},
              {"type": "track", "messageId": "pii-4", "userId": "u", "event": "E", "properties": {"sku": "s-2"}, "properties": {"email": "last@example.com"}}
            ]}
            """#
            try await client.execute(uri: "/v1/batch", method: .post, headers: fixture.headers(), body: body(batch)) { response in
                let json = try jsonBody(response)
                #expect(json["stored"] == .number(4))
            }
            let atRest = try await fixture.storedText()
            for secret in ["one@example.com", "+66 81 234 5678", "first@example.com", "last@example.com"] {
                #expect(!atRest.contains(secret), "\(secret) is in clear at rest")
            }
            let events = try await fixture.storedEvents()
            #expect(events["pii-1"]?["traits"] == .object(["plan": .string("pro"), "E_Mail": .string("one@example.com")]))
            #expect(events["pii-2"]?["properties"] == .object(["phone": .string("+66 81 234 5678")]))
            // A repeated member: the last one counts, as in `jsonb`.
            #expect(events["pii-3"]?["properties"] == .object(["sku": .string("s-1")]))
            #expect(events["pii-4"]?["properties"] == .object(["email": .string("last@example.com")]))
        }
    }
}
