import Foundation
import Hummingbird
import HummingbirdTesting
import KinshipCore
import KinshipDatabase
import KinshipTestSupport
import Testing
@testable import IngestionService

/// The batch's `sentAt` corrects every message's clock, so it is checked like a message's own, and no
/// correction can make an event time Postgres refuses (which would fail the group commit of every
/// request that shares it).
@Suite struct ClockCorrectionTests {
    @Test(arguments: ["9999-12-31T00:00:00Z", "1970-01-01T00:00:00Z"])
    func anAbsurdBatchSentAtIsRefusedAndTheNextBatchIsStored(_ sentAt: String) async throws {
        try await IngestionFixture.run { fixture, client in
            let absurd = #"{"sentAt": "\#(sentAt)", "batch": [{"type": "track", "messageId": "cc-1", "userId": "u", "event": "E", "timestamp": "2026-01-01T00:00:00Z"}]}"#
            try await client.execute(uri: "/v1/batch", method: .post, headers: fixture.headers(), body: body(absurd)) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains(#""code":"invalid_timestamp""#))
            }
            let good = #"{"batch": [{"type": "track", "messageId": "cc-2", "userId": "u", "event": "E"}]}"#
            try await client.execute(uri: "/v1/batch", method: .post, headers: fixture.headers(), body: body(good)) { response in
                #expect(response.status == .ok)
            }
            #expect(try await fixture.storedEvents().keys.sorted() == ["cc-2"])
        }
    }

    @Test func aCorrectionOutOfTheYearsKeepsTheEventsOwnTime() async throws {
        try await IngestionFixture.run { fixture, client in
            // Both plausible, but a century apart: corrected, the event would have happened in the 1920s.
            let batch = #"{"sentAt": "2099-12-31T00:00:00Z", "batch": [{"type": "track", "messageId": "cc-3", "userId": "u", "event": "E", "timestamp": "2000-01-02T00:00:00Z"}]}"#
            try await client.execute(uri: "/v1/batch", method: .post, headers: fixture.headers(), body: body(batch)) { response in
                #expect(response.status == .ok)
            }
            let stored = try #require(try await fixture.storedEvents()["cc-3"])
            #expect(stored["timestamp"] == .string("2000-01-02T00:00:00.000Z"))
        }
    }
}
