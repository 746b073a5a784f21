import Foundation
import KinshipTestSupport
import PostgresNIO
import Testing
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipInternalClient
import KinshipService

/// An `events` message's payload, as ingestion writes it, reads back through the project's own parser.
struct EventReferenceTests {
    @Test func readsWhatTheEncoderWrote() throws {
        let reference = EventReference(messageId: "m-\u{e9}\"1", receivedAt: "2026-11-30T10:00:00.123456Z")
        let payload = String(decoding: try JSONCoding.encoder().encode(reference), as: UTF8.self)
        #expect(try EventReference.references(in: payload) == [reference])
    }

    @Test func writesWhatTheEncoderWritesAndReadsItBack() throws {
        let reference = EventReference(messageId: "m-\u{e9}\"\\1", receivedAt: "2026-11-30T10:00:00.123Z")
        #expect(reference.payload == String(decoding: try JSONCoding.encoder().encode(reference), as: UTF8.self))
        #expect(try EventReference.references(in: reference.payload) == [reference])
    }

    @Test func readsAMessageOfManyReferencesInOrder() throws {
        let references = (0..<3).map { EventReference(messageId: "m-\($0)", receivedAt: "2026-11-30T10:00:0\($0).000Z") }
        let payload = EventReference.messagePayload(joining: references.map(\.payload))
        #expect(try EventReference.references(in: payload) == references)
    }

    @Test func refusesAPayloadThatIsNotAReference() {
        #expect(throws: DecodingError.self) { try EventReference.references(in: #"{"messageId": "m-1"}"#) }
        #expect(throws: DecodingError.self) { try EventReference.references(in: #"{"messageId": 1, "receivedAt": "2026-11-30T10:00:00Z"}"#) }
        #expect(throws: DecodingError.self) { try EventReference.references(in: #"{"events": []}"#) }
        #expect(throws: DecodingError.self) { try EventReference.references(in: #"{"events": {"messageId": "m-1"}}"#) }
        #expect(throws: DecodingError.self) { try EventReference.references(in: #"{"events": [{"messageId": "m-1"}]}"#) }
        #expect(throws: (any Error).self) { try EventReference.references(in: "not json") }
    }

    /// The SQL that ingestion's careful statement builds messages with, and the SQL that checks read them
    /// with, agree with the Swift writer and reader, byte for byte.
    @Test func theSQLSpellingWritesAndReadsWhatSwiftDoes() async throws {
        let references = (0..<3).map { EventReference(messageId: "m-\u{e9}-\($0)", receivedAt: "2026-11-30T10:00:0\($0).000Z") }
        try await TestDatabase.withClient { client in
            let built = try await client.query(
                "SELECT \(unescaped: EventReference.sqlMessagePayload(aggregating: "r"))::text FROM unnest(\(references.map(\.payload))::text[]) AS r",
                logger: TestDatabase.logger
            ).decode(String.self).first(where: { _ in true })
            #expect(try EventReference.references(in: try #require(built)) == references)
            let read = try await client.query(
                """
                SELECT \(unescaped: EventReference.sqlField(.messageId, of: "x.r")), \(unescaped: EventReference.sqlField(.receivedAt, of: "x.r"))
                FROM \(unescaped: EventReference.sqlReferences(in: "\(EventReference.messagePayload(joining: references.map(\.payload)).sqlLiteral)::jsonb")) AS x(r)
                """,
                logger: TestDatabase.logger
            ).decode((String, String).self).reduce(into: []) { $0.append(EventReference(messageId: $1.0, receivedAt: $1.1)) }
            #expect(read == references)
        }
    }
}

private extension String {
    /// A quoted SQL literal (the test's own fixed text; queries with input bind it instead).
    var sqlLiteral: String { "'" + replacingOccurrences(of: "'", with: "''") + "'" }
}
