import Foundation
import Testing
import KinshipCore
import KinshipPrivacy
import KinshipDatabase
import KinshipOutbox
import KinshipService

/// Payload shapes from Segment's HTTP Tracking API documentation, with values written for these tests.
struct TrackingMessageTests {
    func decode(_ json: String, implied: TrackingMessageType? = nil) throws -> TrackingMessage {
        var userInfo: [CodingUserInfoKey: any Sendable] = [:]
        if let implied { userInfo[TrackingMessage.impliedTypeKey] = implied }
        return try JSONCoding.decode(TrackingMessage.self, from: Data(json.utf8), userInfo: userInfo)
    }

    func refusal(_ json: String, implied: TrackingMessageType? = nil) -> KinshipError? {
        do {
            _ = try decode(json, implied: implied)
            return nil
        } catch {
            return error as? KinshipError
        }
    }

    @Test func identifyWithTraitsAndContext() throws {
        let message = try decode("""
        {
          "type": "identify",
          "userId": "u-1029",
          "anonymousId": "507f191e810c19729de860ea",
          "traits": {"email": "somchai@example.co.th", "name": "Somchai", "plan": "gold", "logins": 5, "address": {"city": "Chiang Mai"}},
          "context": {"ip": "203.0.113.9", "library": {"name": "analytics-python", "version": "2.3.2"}},
          "integrations": {"All": true, "Mixpanel": false},
          "timestamp": "2024-03-05T10:15:30.123Z",
          "messageId": "a6f3c2e0-0b1e-4d2a-9a55-1f7c0f7e6d11"
        }
        """)
        #expect(message.type == .identify)
        #expect(message.userId == "u-1029")
        #expect(message.traits?["email"] == .string("somchai@example.co.th"))
        #expect(message.traits?["logins"] == .number(5))
        #expect(message.traits?["address"]?["city"] == .string("Chiang Mai"))
        #expect(message.context?["library"]?["name"] == .string("analytics-python"))
        #expect(message.integrations?["Mixpanel"] == .bool(false))
        #expect(abs(message.timestamp!.timeIntervalSince1970 - 1_709_633_730.123) < 1e-6)
    }

    @Test func trackWithPropertiesAndImpliedType() throws {
        let message = try decode("""
        {"userId": "u-7", "event": "Order Completed",
         "properties": {"order_id": "50314b8e", "total": 27.5, "currency": "THB", "products": [{"product_id": "p1", "quantity": 2}]},
         "originalTimestamp": "2024-03-05T17:15:30+07:00", "sentAt": "2024-03-05T17:15:31+07:00"}
        """, implied: .track)
        #expect(message.type == .track)
        #expect(message.event == "Order Completed")
        #expect(message.properties?["total"] == .number(27.5))
        #expect(message.properties?["products"] == .array([.object(["product_id": .string("p1"), "quantity": .number(2)])]))
        #expect(message.sentAt!.timeIntervalSince(message.originalTimestamp!) == 1)
    }

    @Test func pageScreenGroupAndAlias() throws {
        let page = try decode(#"{"type":"page","anonymousId":"anon-1","name":"Pricing","category":"Docs","properties":{"url":"https://shop.example/pricing","path":"/pricing"}}"#)
        #expect(page.name == "Pricing" && page.category == "Docs")
        let screen = try decode(#"{"type":"screen","userId":"u-2","name":"Home"}"#)
        #expect(screen.type == .screen && screen.name == "Home")
        let group = try decode(#"{"type":"group","userId":"u-3","groupId":"acme","traits":{"name":"Acme Co","employees":120}}"#)
        #expect(group.groupId == "acme")
        let alias = try decode(#"{"type":"alias","previousId":"anon-1","userId":"u-1"}"#)
        #expect(alias.previousId == "anon-1" && alias.userId == "u-1")
    }

    @Test func numericIdsAreKeptAsText() throws {
        let message = try decode(#"{"type":"identify","userId":12345,"groupId":7}"#)
        #expect(message.userId == "12345")
        #expect(message.groupId == "7")
    }

    @Test func nullOptionalFieldsAreAbsent() throws {
        let message = try decode(#"{"type":"track","event":"Signed Up","userId":null,"anonymousId":"a","context":null}"#)
        #expect(message.userId == nil)
        #expect(message.context == nil)
    }

    @Test func batchEnvelopeDecodes() throws {
        let batch = try JSONCoding.decode(TrackingBatch.self, from: Data("""
        {"batch": [
            {"type": "identify", "userId": "u-1", "traits": {"email": "a@example.com"}},
            {"type": "track", "userId": "u-1", "event": "Product Viewed", "properties": {"sku": "X-1"}, "timestamp": "2024-03-05T10:15:30Z"}
         ],
         "context": {"device": {"type": "phone"}}, "sentAt": "2024-03-05T10:15:31.000Z", "writeKey": "wk_abc"}
        """.utf8))
        #expect(batch.batch.map(\.type) == [.identify, .track])
        #expect(batch.writeKey == "wk_abc")
        #expect(batch.context?["device"]?["type"] == .string("phone"))
        #expect(batch.sentAt?.timeIntervalSince1970 == 1_709_633_731)
    }

    @Test func wrongTypesAreRefusedNamingTheField() {
        #expect(refusal(#"{"type":"track","event":42,"userId":"u"}"#) == .badRequest(.invalidField, "event must be of type string"))
        #expect(refusal(#"{"type":"track","userId":{"id":1}}"#)?.message == "userId must be a string")
        #expect(refusal(#"{"type":"identify","userId":"u","traits":[1,2]}"#)?.code == .invalidField)
        #expect(refusal(#"{"type":"identify","userId":"u","traits":[1,2]}"#)?.message.hasPrefix("traits") == true)
        #expect(refusal(#"{"type":"track","userId":"u","timestamp":"last tuesday"}"#)?.message.hasPrefix("timestamp is not an ISO-8601") == true)
        #expect(refusal(#"{"type":"track","userId":"u","context":{"page":{"url":1}},"properties":{"x":"y"},"sentAt":5}"#)?.code == .invalidField)
    }

    /// Each of the spec's members is read from its own name, and only from it.
    @Test(arguments: [
        "messageId", "anonymousId", "userId", "previousId", "groupId", "event", "name", "category", "writeKey",
        "timestamp", "originalTimestamp", "sentAt", "receivedAt", "context", "integrations", "properties", "traits",
    ])
    func everyMemberIsReadFromItsNameAndRefusedByIt(_ field: String) throws {
        let isDate = ["timestamp", "originalTimestamp", "sentAt", "receivedAt"].contains(field)
        let isObject = ["context", "integrations", "properties", "traits"].contains(field)
        let value = isDate ? #""2026-11-30T10:00:00.000Z""# : isObject ? #"{"k":"v"}"# : #""v-\#(field)""#
        let message = try decode(#"{"type":"track","\#(field)":\#(value),"\#(field)x":1,"x\#(field)":1}"#)
        let read: [String: Any?] = [
            "messageId": message.messageId, "anonymousId": message.anonymousId, "userId": message.userId, "previousId": message.previousId,
            "groupId": message.groupId, "event": message.event, "name": message.name, "category": message.category, "writeKey": message.writeKey,
            "timestamp": message.timestamp, "originalTimestamp": message.originalTimestamp, "sentAt": message.sentAt, "receivedAt": message.receivedAt,
            "context": message.context, "integrations": message.integrations, "properties": message.properties, "traits": message.traits,
        ]
        for (name, member) in read {
            #expect((member != nil) == (name == field), "\(name) when \(field) was sent")
        }
        if isDate { #expect(message.timestamp ?? message.originalTimestamp ?? message.sentAt ?? message.receivedAt == Timestamp.parse("2026-11-30T10:00:00.000Z")) }
        if isObject { #expect([message.context, message.integrations, message.properties, message.traits].contains { $0 == ["k": .string("v")] }) }
        #expect(refusal(#"{"type":"track","\#(field)":[true]}"#)?.message.hasPrefix(field + " ") == true)
    }

    @Test func unknownOrMissingTypeIsRefused() {
        #expect(refusal(#"{"type":"purchase","userId":"u"}"#)?.code == .invalidType)
        #expect(refusal(#"{"userId":"u"}"#) == .badRequest(.missingField, "type is required"))
    }

    @Test func malformedJSONIsRefused() {
        #expect(refusal(#"{"type":"track","#)?.code == .invalidJSON)
        #expect(refusal("[]")?.code != nil)
    }

    @Test func jsonValueRoundTripsThroughTheSharedEncoder() throws {
        let value: JSONValue = .object(["n": .number(3), "f": .number(2.5), "s": .string("ä"), "a": .array([.null, .bool(true)])])
        let data = try JSONCoding.encoder().encode(value)
        #expect(String(decoding: data, as: UTF8.self) == #"{"a":[null,true],"f":2.5,"n":3,"s":"ä"}"#)
        #expect(try JSONCoding.decode(JSONValue.self, from: data) == value)
    }
}
