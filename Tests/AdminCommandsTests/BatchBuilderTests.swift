import Foundation
import Testing
@testable import AdminCommands

struct BatchBuilderTests {
    private func message(_ number: Int, padding: Int = 0) -> [UInt8] {
        Array(#"{"type":"track","event":"Product Viewed","messageId":"m-\#(number)","pad":"\#(String(repeating: "x", count: padding))"}"#.utf8)
    }

    /// Everything the builder emits, as Foundation parses each body.
    private func bodies(of messages: [[UInt8]], builder: inout BatchBuilder) throws -> [(bytes: Int, ids: [String])] {
        var batches: [BatchBuilder.Batch] = []
        for message in messages {
            if let batch = builder.add(message) { batches.append(batch) }
        }
        if let batch = builder.flush() { batches.append(batch) }
        #expect(builder.flush() == nil)
        return try batches.map { batch in
            let body = batch.body(sentAt: "2024-03-01T10:00:00.123Z")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
            #expect(object["sentAt"] as? String == "2024-03-01T10:00:00.123Z")
            let items = try #require(object["batch"] as? [[String: Any]])
            #expect(items.count == batch.count)
            return (body.count, items.map { $0["messageId"] as? String ?? "" })
        }
    }

    @Test func aBatchHoldsAtMostFiveHundredMessagesInTheOrderGiven() throws {
        var builder = BatchBuilder()
        let sent = try bodies(of: (0..<1201).map { message($0) }, builder: &builder)
        #expect(sent.map(\.ids.count) == [500, 500, 201])
        #expect(sent.flatMap(\.ids) == (0..<1201).map { "m-\($0)" })
    }

    @Test func aBatchStaysUnderTheByteCapAndNeverLeavesRoomForTheNextMessage() throws {
        var builder = BatchBuilder()
        let cap = 450 * 1024
        let messages = (0..<300).map { message($0, padding: 3000 + $0 * 37 % 9000) }
        let sent = try bodies(of: messages, builder: &builder)
        #expect(sent.allSatisfy { $0.bytes <= cap })
        #expect(sent.flatMap(\.ids) == (0..<300).map { "m-\($0)" })
        // The builder keeps room for any sentAt: the next message, with its comma, would have passed the cap then.
        let room = BatchBuilder.envelopeBytes - #"{"batch":[],"sentAt":"2024-03-01T10:00:00.123Z"}"#.utf8.count
        var next = 0
        for body in sent.dropLast() {
            next += body.ids.count
            #expect(body.bytes + room + 1 + messages[next].count > cap)
        }
        #expect(sent.count > 1)
    }

    @Test func aMessageLargerThanTheCapGoesAlone() throws {
        var builder = BatchBuilder(maximumMessages: 500, maximumBytes: 1024)
        let sent = try bodies(of: [message(0), message(1, padding: 2000), message(2)], builder: &builder)
        #expect(sent.map(\.ids) == [["m-0"], ["m-1"], ["m-2"]])
    }

    @Test func aPacedSenderSendsSmallerBatches() {
        let endpoint = IngestionEndpoint(base: "http://127.0.0.1:8080/", writeKey: "wk_test")
        #expect(endpoint.base == "http://127.0.0.1:8080")
        #expect(DemoSender(endpoint: endpoint).messagesPerBatch == 500)
        #expect(DemoSender(endpoint: endpoint, rate: 1000).messagesPerBatch == 100)
        #expect(DemoSender(endpoint: endpoint, rate: 3).messagesPerBatch == 1)
        #expect(DemoSender(endpoint: endpoint, rate: 1_000_000).messagesPerBatch == 500)
    }

    @Test func thePixelCarriesTheMessageWithTheWriteKeyInBase64URL() throws {
        func decoded(_ data: String) throws -> [String: Any] {
            #expect(!data.contains("+") && !data.contains("/") && !data.contains("="))
            var standard = data.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            standard += String(repeating: "=", count: (4 - standard.count % 4) % 4)
            let bytes = try #require(Data(base64Encoded: standard))
            return try #require(try JSONSerialization.jsonObject(with: bytes) as? [String: Any])
        }
        let key = #"wk_"quoted"\key"#
        let open = try decoded(DemoSender.Delivery.pixelData(Array(#"{"type":"track","event":"Email Opened","userId":"u-1"}"#.utf8), writeKey: key))
        #expect(open["writeKey"] as? String == key && open["event"] as? String == "Email Opened" && open["userId"] as? String == "u-1")
        let empty = try decoded(DemoSender.Delivery.pixelData(Array("{ }".utf8), writeKey: "wk_1"))
        #expect(empty.count == 1 && empty["writeKey"] as? String == "wk_1")
    }
}
