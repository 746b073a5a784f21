import Foundation
import KinshipCore
@testable import KinshipPrivacy
@testable import KinshipDatabase
import KinshipOutbox
import KinshipService
import Testing
@testable import IngestionService

/// Messages read from the body's bytes, with `properties` and `traits` passed through as sent, are stored
/// as the same JSON as when the whole message is parsed into a tree.
@Suite struct IncomingMessageTests {
    static let corpus: [(json: String, passesThrough: [String])] = [
        (#"{"type":"track","messageId":"m-1","userId":"user-1","event":"Product Viewed","timestamp":"2026-11-30T10:00:00.000Z","properties":{"product_id":"p-1","price":49.5,"currency":"EUR","pad":"xxxx"},"context":{"userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0","page":{"url":"https://shop.example.com/p/1?utm_source=mail&utm_campaign=spring"}}}"#,
         ["properties"]),
        (#"{"type":"identify","userId":"u-2","traits":{"plan":"pro","seats":3,"tags":["a",{"x":null}],"ok":true},"properties":{"title":"ไทย \"q\" \\ \/ \u00e9 \ud83d\ude00","n":[1,2.25,-0]}}"#,
         ["traits"]),
        ("{\"type\":\"track\",\"userId\":\"u-3\",\"event\":\"E\",\"properties\": {\n  \"a\" : [ 1 ,\n 2 ],\t\"b\": {} \n}}", ["properties"]),
        (#"{"type":"track","userId":"u-4","event":"E","properties":{},"traits":{}}"#, ["properties", "traits"]),
        (#"{"type":"track","userId":"u-5","event":"E","properties":{"customer":{"email":"deep@example.com"}}}"#, []),
        (#"{"type":"identify","userId":"u-6","traits":{"Email":"a@example.com","first_name":"Somchai","plan":"pro"}}"#, []),
        (#"{"type":"track","userId":"u-7","event":"E","properties":{"e\u006dail":"escaped@example.com"}}"#, []),
        (#"{"type":"track","userId":"u-8","event":"E","properties":{"big":1e20,"small":2.5E-3}}"#, []),
        (#"{"type":"track","userId":"u-9","event":"E","properties":{"email":"first@example.com"},"properties":{"x":1}}"#, ["properties"]),
        (#"{"type":"track","userId":"u-10","event":"E","properties":{"x":1},"properties":{"email":"last@example.com"}}"#, []),
        (#"{"type":"track","userId":"u-11","event":"E","properties":null,"traits":{"a":1}}"#, ["traits"]),
        (#"{"type":"page","anonymousId":"a-12","name":"Home","properties":{"path":"/"},"extra":{"kept":[1,"two"]},"writeKey":"wk"}"#, ["properties"]),
    ]

    static func metadata(rules: DataClassification.Rules = .standard) -> RequestMetadata {
        let key = DataKey.generate()
        let workspace = UUID()
        var metadata = RequestMetadata(
            source: AuthenticatedSource(
                source: Source(workspaceID: workspace, id: UUID(), name: "web"),
                sealing: SealedFields(key: key, workspaceID: workspace, personalData: PersonalData(rules: rules)),
                dataKey: key, blindIndex: key.blindIndex, ipPolicy: .none
            ),
            receivedAt: Date(), clientAddress: "203.0.113.7", userAgent: "curl/8.0"
        )
        metadata.batchContext = ["library": .object(["name": .string("analytics-python"), "version": .string("2.3.3")])]
        return metadata
    }

    static func read(_ json: String) throws -> IncomingMessage {
        let body = Array(json.utf8)
        return try body.withUnsafeBytes { bytes in
            var reader = JSONReader(bytes)
            let message = try IncomingMessage.read(&reader, body: body)
            try reader.finish()
            return message
        }
    }

    /// The stored JSON, parsed, with its sealed values opened.
    static func stored(_ prepared: PreparedMessage?, _ metadata: RequestMetadata) throws -> [String: JSONValue] {
        let json = try #require(prepared).json
        guard case .object(let object) = try JSONValue.parse(json) else { throw KinshipError.badRequest(.invalidJSON, "not an object") }
        return try metadata.source.sealing.openMessage(object)
    }

    @Test(arguments: corpus)
    func readAndParsedMessagesAreStoredAlike(_ json: String, _ passesThrough: [String]) throws {
        let metadata = Self.metadata()
        let read = try Self.read(json)
        #expect(read.passedThrough.map(\.key).sorted() == passesThrough)
        var preparation = MessagePreparation(metadata: metadata, consent: ConsentGate())
        var fromBytes = try Self.stored(try preparation.preparing(read), metadata)
        var fromTree = try Self.stored(try preparation.preparing(IncomingMessage(try JSONValue.parse(json))), metadata)
        // Generated afresh for each message that came without one.
        #expect(fromBytes.removeValue(forKey: "messageId") != nil && fromTree.removeValue(forKey: "messageId") != nil)
        #expect(fromBytes == fromTree)
        #expect(fromBytes["context"]?["library"]?["name"] == .string("analytics-python"))
        #expect(fromBytes["writeKey"] == nil)
    }

    @Test func piiValuesAreSealedAtRestWhicheverWayTheyCame() throws {
        let metadata = Self.metadata()
        var preparation = MessagePreparation(metadata: metadata, consent: ConsentGate())
        for (json, _) in Self.corpus {
            let text = String(decoding: try #require(try preparation.preparing(try Self.read(json))).json, as: UTF8.self)
            for secret in ["a@example.com", "Somchai", "escaped@example.com", "last@example.com", "u-2", "u-10"] {
                #expect(!text.contains(secret), "\(secret) in clear in \(text)")
            }
        }
    }

    @Test func aWorkspaceWithRulesOfItsOwnSealsByThemInWhatWouldPassThrough() throws {
        let metadata = Self.metadata(rules: DataClassification.Rules(personal: ["sku"], sensitive: []))
        var preparation = MessagePreparation(metadata: metadata, consent: ConsentGate())
        let message = try Self.read(#"{"type":"track","userId":"u","event":"E","properties":{"sku":"SKU-SECRET-1","price":2}}"#)
        #expect(message.passedThrough.map(\.key) == ["properties"])
        let prepared = try #require(try preparation.preparing(message))
        #expect(!String(decoding: prepared.json, as: UTF8.self).contains("SKU-SECRET-1"))
        #expect(try Self.stored(prepared, metadata)["properties"]?["sku"] == .string("SKU-SECRET-1"))
    }

    @Test func passedThroughBytesCountTowardsTheMessageLimit() throws {
        var preparation = MessagePreparation(metadata: Self.metadata(), consent: ConsentGate())
        let pad = String(repeating: "x", count: IngestionLimits.messageBytes)
        let message = try Self.read(#"{"type":"track","userId":"u","event":"E","properties":{"pad":"\#(pad)"}}"#)
        #expect(message.passedThrough.count == 1)
        #expect(throws: KinshipError.self) { try preparation.preparing(message) }
        #expect(preparation.process(message, index: 0).refusalCode == "message_too_large")
    }

    @Test func aNULInsideIsRefusedWithItsPath() throws {
        var preparation = MessagePreparation(metadata: Self.metadata(), consent: ConsentGate())
        let message = try Self.read(#"{"type":"track","userId":"u","event":"E","properties":{"a":{"b":"x\u0000y"}}}"#)
        #expect(message.passedThrough.isEmpty)
        guard case .refused(let refusal) = preparation.process(message, index: 3) else {
            Issue.record("a NUL was accepted")
            return
        }
        #expect(refusal.error.code == .invalidCharacter)
        #expect(refusal.error.message.hasPrefix("properties.a.b "))
        #expect(refusal.index == 3)
    }

    @Test(arguments: [
        #"{"type":"track","userId":"u","event":"a\u0000b"}"#,
        #"{"type":"track","userId":"u","event":"E","context":{"page":{"ti\u0000tle":"x"}}}"#,
        #"{"type":"track","userId":"u","event":"E","traits":{"e\u006dail":"\u0000"}}"#,
    ])
    func aNULAnywhereInWhatWasReadIsRefused(_ json: String) throws {
        var preparation = MessagePreparation(metadata: Self.metadata(), consent: ConsentGate())
        #expect(preparation.process(try Self.read(json), index: 0).refusalCode == "invalid_character")
    }

    @Test func aNULInTheBatchContextIsRefusedInEachMessage() throws {
        var metadata = Self.metadata()
        metadata.batchContext = ["locale": .string("th\u{0}TH")]
        var preparation = MessagePreparation(metadata: metadata, consent: ConsentGate())
        let message = try Self.read(#"{"type":"track","userId":"u","event":"E"}"#)
        #expect(preparation.process(message, index: 0).refusalCode == "invalid_character")
    }

    @Test func theLimitIsOnTheMessageAsSentPlusTheBatchFields() throws {
        let padding = IngestionLimits.messageBytes - #"{"type":"track","userId":"u","event":"E","properties":{"pad":""}}"#.utf8.count
        let exactly = #"{"type":"track","userId":"u","event":"E","properties":{"pad":"\#(String(repeating: "x", count: padding))"}}"#
        #expect(exactly.utf8.count == IngestionLimits.messageBytes)
        var alone = Self.metadata()
        alone.batchContext = nil
        var preparation = MessagePreparation(metadata: alone, consent: ConsentGate())
        #expect(preparation.process(try Self.read(exactly), index: 0).refusalCode == nil)
        var withBatchContext = MessagePreparation(metadata: Self.metadata(), consent: ConsentGate())
        #expect(withBatchContext.process(try Self.read(exactly), index: 0).refusalCode == "message_too_large")
    }

    @Test func aRefusedMessageKeepsWhatPassedThroughInItsFailedEvent() throws {
        var preparation = MessagePreparation(metadata: Self.metadata(), consent: ConsentGate())
        let message = try Self.read(#"{"type":"track","userId":"u","properties":{"price":2,"list":[1]}}"#)
        guard case .refused(let refusal) = preparation.process(message, index: 0) else {
            Issue.record("a track without event was accepted")
            return
        }
        #expect(refusal.error.code == .missingEvent)
        #expect(refusal.raw["properties"] == .object(["price": .number(2), "list": .array([.number(1)])]))
        // As sent: without the batch's context, which ingestion had merged into it before refusing it.
        #expect(refusal.raw == .object(["type": .string("track"), "userId": .string("u"), "properties": .object(["price": .number(2), "list": .array([.number(1)])])]))
    }
}

extension MessagePreparation {
    /// `prepare` on a copy of `message`.
    mutating func preparing(_ message: IncomingMessage) throws -> PreparedMessage? {
        var message = message
        return try prepare(&message)
    }
}

extension MessageOutcome {
    var refusalCode: String? {
        if case .refused(let refusal) = self { return refusal.error.code.rawValue }
        return nil
    }
}
