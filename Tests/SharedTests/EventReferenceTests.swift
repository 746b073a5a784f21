import Foundation
import Testing
@testable import Shared

/// An `events` message's payload, as ingestion writes it, reads back through the project's own parser.
struct EventReferenceTests {
    @Test func readsWhatTheEncoderWrote() throws {
        let reference = EventReference(messageId: "m-\u{e9}\"1", receivedAt: "2026-11-30T10:00:00.123456Z")
        let payload = String(decoding: try JSONCoding.encoder().encode(reference), as: UTF8.self)
        #expect(try EventReference(payload: payload) == reference)
    }

    @Test func writesWhatTheEncoderWritesAndReadsItBack() throws {
        let reference = EventReference(messageId: "m-\u{e9}\"\\1", receivedAt: "2026-11-30T10:00:00.123Z")
        #expect(reference.payload == String(decoding: try JSONCoding.encoder().encode(reference), as: UTF8.self))
        #expect(try EventReference(payload: reference.payload) == reference)
    }

    @Test func refusesAPayloadThatIsNotAReference() {
        #expect(throws: DecodingError.self) { try EventReference(payload: #"{"messageId": "m-1"}"#) }
        #expect(throws: DecodingError.self) { try EventReference(payload: #"{"messageId": 1, "receivedAt": "2026-11-30T10:00:00Z"}"#) }
        #expect(throws: (any Error).self) { try EventReference(payload: "not json") }
    }
}
