import Foundation
import Hummingbird
import HummingbirdTesting
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import KinshipTestSupport
import Testing
@testable import IngestionService

/// A client may not send what only Kinship writes: a value shaped as sealed (`{"$sealed": …}`) would be
/// stored as if ingestion had sealed it, and identity would fail to open it. Each such message is refused
/// on its own, wherever the key is and however it is spelled; its neighbours are stored.
@Suite struct ForgedMarkerTests {
    @Test(arguments: [
        // A PII trait (parsed), a plain property deep inside (passed through unparsed), an escaped spelling,
        // an array element, the context, an identifier, the top level.
        #"{"type":"identify","userId":"u","traits":{"email":{"$sealed":"AAAA"}}}"#,
        #"{"type":"track","userId":"u","event":"E","properties":{"cart":{"items":[{"sku":{"$sealed":"AAAA"}}]}}}"#,
        #"{"type":"track","userId":"u","event":"E","properties":{"x":{"\u0024sealed":"AAAA"}}}"#,
        #"{"type":"track","userId":"u","event":"E","properties":{"x":{"$seal\u0065d":"AAAA"}}}"#,
        #"{"type":"track","userId":"u","event":"E","properties":{"list":[1,{"$sealed":"AAAA"}]}}"#,
        #"{"type":"track","userId":"u","event":"E","context":{"traits":{"phone":{"$sealed":"AAAA"}}}}"#,
        #"{"type":"track","userId":{"$sealed":"AAAA"},"event":"E"}"#,
        #"{"type":"track","userId":"u","event":"E","$sealed":"AAAA"}"#,
    ])
    func aForgedMarkerAnywhereIsRefused(_ json: String) throws {
        var preparation = MessagePreparation(metadata: IncomingMessageTests.metadata(), consent: ConsentGate())
        #expect(preparation.process(try IncomingMessageTests.read(json), index: 0).refusalCode == "reserved_key")
        // Built from a tree (the pixel and CSV imports), not read from bytes: the same refusal.
        #expect(preparation.process(IncomingMessage(try JSONValue.parse(json)), index: 0).refusalCode == "reserved_key")
    }

    @Test func keysThatOnlyResembleTheMarkerAreData() throws {
        var preparation = MessagePreparation(metadata: IncomingMessageTests.metadata(), consent: ConsentGate())
        let json = #"{"type":"track","userId":"u","event":"E","properties":{"$set":{"plan":"pro"},"$sealed_at":1,"sealed":true,"$SEALED":2}}"#
        #expect(preparation.process(try IncomingMessageTests.read(json), index: 0).refusalCode == nil)
    }

    @Test func aForgedMarkerInTheBatchContextIsRefusedInEachMessage() throws {
        var metadata = IncomingMessageTests.metadata()
        metadata.batchContext = ["ip": .object(["$sealed": .string("AAAA")])]
        var preparation = MessagePreparation(metadata: metadata, consent: ConsentGate())
        let message = try IncomingMessageTests.read(#"{"type":"track","userId":"u","event":"E"}"#)
        #expect(preparation.process(message, index: 0).refusalCode == "reserved_key")
    }

    @Test func theForgedMessageIsRefusedAndItsNeighboursStored() async throws {
        try await IngestionFixture.run { fixture, client in
            let batch = #"""
            {"batch": [
              {"type": "identify", "messageId": "fm-1", "userId": "u", "traits": {"plan": "pro"}},
              {"type": "identify", "messageId": "fm-2", "userId": "u", "traits": {"email": {"$sealed": "AAAA"}}},
              {"type": "track", "messageId": "fm-3", "userId": "u", "event": "E", "properties": {"a": {"$sealed": "AAAA"}}}
            ]}
            """#
            try await client.execute(uri: "/v1/batch", method: .post, headers: fixture.headers(), body: body(batch)) { response in
                #expect(response.status == .ok)
                let json = try jsonBody(response)
                #expect(json["stored"] == .number(1))
                #expect(json["refused"]?.arrayValue?.map { $0["code"] } == [.string("reserved_key"), .string("reserved_key")])
            }
            #expect(try await fixture.storedEvents().keys.sorted() == ["fm-1"])
            #expect(try await fixture.failedCodes() == ["reserved_key", "reserved_key"])
        }
    }
}
