import Foundation
import Testing
@testable import Shared

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
}
