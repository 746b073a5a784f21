import Foundation
import Hummingbird
import HummingbirdTesting
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import KinshipTestSupport
import Testing
@testable import IngestionService

@Suite struct CollectionTests {
    @Test func aBatchStoresTheGoodMessagesAndListsTheRefusedOnesByIndex() async throws {
        try await IngestionFixture.run { fixture, client in
            let batch = #"""
            {"batch": [
              {"type": "track", "messageId": "m-1", "anonymousId": "a-1", "event": "Product Viewed", "properties": {"sku": "X1"}},
              {"type": "track", "messageId": "m-2", "anonymousId": "a-1"},
              {"type": "identify", "messageId": "m-3", "userId": "u-1", "traits": {"plan": "pro"}},
              {"type": "page", "messageId": "m-4"},
              {"type": "teleport", "messageId": "m-5", "userId": "u-1"}
            ]}
            """#
            try await client.execute(uri: "/v1/batch", method: .post, headers: fixture.headers(), body: body(batch)) { response in
                #expect(response.status == .ok)
                let json = try jsonBody(response)
                #expect(json["success"] == .bool(true))
                #expect(json["stored"] == .number(2))
                let refused = json["refused"]?.arrayValue ?? []
                #expect(refused.map { $0["index"] } == [.number(1), .number(3), .number(4)])
                #expect(refused.map { $0["code"] } == [.string("missing_event"), .string("missing_identifier"), .string("invalid_type")])
            }
            let events = try await fixture.storedEvents()
            #expect(Set(events.keys) == ["m-1", "m-3"])
            #expect(events["m-1"]?["properties"]?["sku"] == .string("X1"))
            #expect(try await fixture.outboxReferences() == 2)
            #expect(try await fixture.failedCodes() == ["missing_event", "missing_identifier", "invalid_type"])
        }
    }

    @Test func singleMessageEndpointsImplyTheTypeAndRefuseWithTheFieldsCode() async throws {
        try await IngestionFixture.run { fixture, client in
            for (path, message) in [
                ("identify", #"{"userId": "u-9", "traits": {"plan": "free"}}"#),
                ("track", #"{"userId": "u-9", "event": "Order Completed", "properties": {"revenue": 12.5}}"#),
                ("page", #"{"anonymousId": "a-9", "name": "Home"}"#),
                ("screen", #"{"anonymousId": "a-9", "name": "Cart"}"#),
                ("group", #"{"userId": "u-9", "groupId": "g-1"}"#),
                ("alias", #"{"userId": "u-9", "previousId": "a-9"}"#),
            ] {
                try await client.execute(uri: "/v1/\(path)", method: .post, headers: fixture.headers(), body: body(message)) { response in
                    #expect(response.status == .ok, "\(path): \(String(buffer: response.body))")
                    let json = try jsonBody(response)
                    #expect(json["success"] == .bool(true))
                }
            }
            let types = try await fixture.storedEvents().values.compactMap { $0["type"]?.stringValue }.sorted()
            #expect(types == ["alias", "group", "identify", "page", "screen", "track"])

            try await client.execute(uri: "/v1/track", method: .post, headers: fixture.headers(), body: body(#"{"userId": "u-9"}"#)) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains(#""code":"missing_event""#))
            }
            try await client.execute(uri: "/v1/alias", method: .post, headers: fixture.headers(), body: body(#"{"userId": "u-9"}"#)) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains(#""code":"missing_identifier""#))
            }
            try await client.execute(uri: "/v1/track", method: .post, headers: fixture.headers(), body: body(#"{"userId": 5.5, "event": "X"}"#)) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("userId"))
            }
            try await client.execute(
                uri: "/v1/track", method: .post, headers: fixture.headers(), body: body(#"{"userId": "u", "event": "X", "timestamp": "yesterday"}"#)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("timestamp"))
            }
            #expect(try await fixture.failedCodes().count == 4)
        }
    }

    @Test func theWriteKeyIsTakenFromBasicAuthOrTheBodyAndAWrongOneIsRefused() async throws {
        try await IngestionFixture.run { fixture, client in
            let message = #"{"userId": "u-1", "event": "Signed Up"}"#
            try await client.execute(uri: "/v1/track", method: .post, headers: [.contentType: "application/json"], body: body(message)) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains(#""code":"missing_write_key""#))
            }
            let wrong = basicAuthorization(user: "wk_wrong")
            try await client.execute(uri: "/v1/track", method: .post, headers: [.authorization: wrong], body: body(message)) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains(#""code":"invalid_write_key""#))
            }
            let inBody = #"{"userId": "u-1", "event": "Signed Up", "writeKey": "\#(fixture.writeKey)"}"#
            try await client.execute(uri: "/v1/track", method: .post, headers: [.contentType: "text/plain"], body: body(inBody)) { response in
                #expect(response.status == .ok)
            }
            let batch = #"{"writeKey": "\#(fixture.writeKey)", "batch": [{"type": "track", "userId": "u-1", "event": "A"}]}"#
            try await client.execute(uri: "/v1/batch", method: .post, headers: [:], body: body(batch)) { response in
                #expect(response.status == .ok)
            }
            #expect(try await fixture.count("events") == 2)
            // Nothing of an unauthenticated request is kept anywhere.
            #expect(try await fixture.failedCodes().isEmpty)
        }
    }

    @Test func aRepeatedMessageIdIsAcknowledgedButStoredOnce() async throws {
        try await IngestionFixture.run { fixture, client in
            let message = #"{"type": "track", "messageId": "dup-1", "userId": "u", "event": "Clicked"}"#
            try await client.execute(uri: "/v1/batch", method: .post, headers: fixture.headers(), body: body(#"{"batch": [\#(message), \#(message)]}"#)) { response in
                let json = try jsonBody(response)
                #expect(json["stored"] == .number(1))
                #expect(json["duplicates"] == .number(1))
            }
            try await client.execute(uri: "/v1/track", method: .post, headers: fixture.headers(), body: body(message)) { response in
                #expect(response.status == .ok)
                let json = try jsonBody(response)
                #expect(json["duplicates"] == .number(1))
            }
            #expect(try await fixture.count("events") == 1)
            #expect(try await fixture.outboxReferences() == 1)
        }
    }

    @Test func piiIsSealedAtRestAndOpensAgain() async throws {
        try await IngestionFixture.run { fixture, client in
            let message = #"""
            {"messageId": "pii-1", "userId": "u-7",
             "traits": {"email": "somchai@example.co.th", "first_name": "Somchai", "plan": "gold"},
             "context": {"ip": "203.0.113.77", "traits": {"phone": "+66812345678"}}}
            """#
            try await client.execute(uri: "/v1/identify", method: .post, headers: fixture.headers(), body: body(message)) { response in
                #expect(response.status == .ok)
            }
            let atRest = try await fixture.storedText()
            for secret in ["somchai@example.co.th", "Somchai", "+66812345678", "203.0.113"] {
                #expect(!atRest.contains(secret), "\(secret) is in clear at rest")
            }
            #expect(atRest.contains("gold"))
            let opened = try #require(try await fixture.storedEvents()["pii-1"])
            #expect(opened["traits"]?["email"] == .string("somchai@example.co.th"))
            #expect(opened["traits"]?["first_name"] == .string("Somchai"))
            #expect(opened["context"]?["traits"]?["phone"] == .string("+66812345678"))
            // The workspace default keeps the /24 network only.
            #expect(opened["context"]?["ip"] == .string("203.0.113.0"))
        }
    }

    @Test func sentAtCorrectsTheClientsClockAndReceivedAtIsTheServers() async throws {
        try await IngestionFixture.run { fixture, client in
            // The device clock is a day behind; the event happened 30 s before sending.
            let message = #"{"messageId": "skew-1", "userId": "u", "event": "E", "timestamp": "2026-01-01T00:00:00.000Z", "sentAt": "2026-01-01T00:00:30.000Z"}"#
            let before = Date()
            try await client.execute(uri: "/v1/track", method: .post, headers: fixture.headers(), body: body(message)) { response in
                #expect(response.status == .ok)
            }
            let after = Date()
            let stored = try #require(try await fixture.storedEvents()["skew-1"])
            let receivedAt = try #require(stored["receivedAt"]?.stringValue.flatMap(Timestamp.parse))
            let timestamp = try #require(stored["timestamp"]?.stringValue.flatMap(Timestamp.parse))
            #expect(receivedAt >= before.addingTimeInterval(-0.001) && receivedAt <= after.addingTimeInterval(0.001))
            #expect(abs(receivedAt.timeIntervalSince(timestamp) - 30) < 0.002)
            #expect(stored["originalTimestamp"] == .string("2026-01-01T00:00:00.000Z"))
        }
    }

    @Test func aMessageWhoseOwnConsentRefusesItsCategoryIsAcknowledgedButNotStored() async throws {
        try await IngestionFixture.run { fixture, client in
            let refused = #"{"type": "track", "messageId": "c-1", "userId": "u", "event": "Email Opened", "context": {"consent": {"categoryPreferences": {"marketing": false, "analytics": true}}}}"#
            let allowed = #"{"type": "track", "messageId": "c-2", "userId": "u", "event": "Product Viewed", "context": {"consent": {"categoryPreferences": {"marketing": false, "analytics": true}}}}"#
            let necessary = #"{"type": "identify", "messageId": "c-3", "userId": "u", "context": {"consent": {"categoryPreferences": {"analytics": false}}}}"#
            try await client.execute(uri: "/v1/batch", method: .post, headers: fixture.headers(), body: body(#"{"batch": [\#(refused), \#(allowed), \#(necessary)]}"#)) { response in
                let json = try jsonBody(response)
                #expect(json["withheld"] == .number(1))
                #expect(json["stored"] == .number(2))
            }
            #expect(Set(try await fixture.storedEvents().keys) == ["c-2", "c-3"])
        }
    }

    @Test func limitsAreSegmentsAndNameTheLimit() async throws {
        try await IngestionFixture.run { fixture, client in
            let big = String(repeating: "x", count: 33 * 1024)
            let batch = #"{"batch": [{"type": "track", "userId": "u", "event": "Big", "properties": {"blob": "\#(big)"}}, {"type": "track", "userId": "u", "event": "Small"}]}"#
            try await client.execute(uri: "/v1/batch", method: .post, headers: fixture.headers(), body: body(batch)) { response in
                let json = try jsonBody(response)
                #expect(json["stored"] == .number(1))
                #expect(json["refused"]?.arrayValue?.first?["code"] == .string("message_too_large"))
            }
            try await client.execute(
                uri: "/v1/track", method: .post, headers: fixture.headers(), body: body(#"{"userId": "u", "event": "Big", "properties": {"blob": "\#(big)"}}"#)
            ) { response in
                #expect(response.status == .contentTooLarge)
                #expect(String(buffer: response.body).contains(#""code":"message_too_large""#))
            }
            let huge = String(repeating: "y", count: 501 * 1024)
            try await client.execute(uri: "/v1/batch", method: .post, headers: fixture.headers(), body: body(#"{"batch": [], "pad": "\#(huge)"}"#)) { response in
                #expect(response.status == .contentTooLarge)
                #expect(String(buffer: response.body).contains(#""code":"batch_too_large""#))
            }
        }
    }

    @Test func gzipBodiesAreAcceptedAndBombsRefusedEarly() async throws {
        try await IngestionFixture.run { fixture, client in
            let batch = #"{"batch": [{"type": "track", "messageId": "gz-1", "userId": "u", "event": "Zipped"}]}"#
            let zipped = try await gzip(Data(batch.utf8))
            try await client.execute(
                uri: "/v1/batch", method: .post, headers: fixture.headers([.contentEncoding: "gzip"]), body: ByteBuffer(bytes: zipped)
            ) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
            }
            #expect(try await fixture.storedEvents()["gz-1"] != nil)
            // 50 MB of spaces inside a valid JSON document: a few tens of KB compressed.
            let bomb = try await gzip(Data(#"{"batch": [], "pad": ""#.utf8) + Data(repeating: 0x20, count: 50_000_000) + Data(#""}"#.utf8))
            #expect(bomb.count < 200_000)
            try await client.execute(
                uri: "/v1/batch", method: .post, headers: fixture.headers([.contentEncoding: "gzip"]), body: ByteBuffer(bytes: bomb)
            ) { response in
                #expect(response.status == .contentTooLarge)
                #expect(String(buffer: response.body).contains(#""code":"batch_too_large""#))
            }
            try await client.execute(
                uri: "/v1/batch", method: .post, headers: fixture.headers([.contentEncoding: "gzip"]), body: body("not gzip at all")
            ) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains(#""code":"invalid_gzip""#))
            }
        }
    }

    @Test func aSourceOverItsRateIsToldWhenToRetry() async throws {
        var configuration = IngestionConfiguration()
        configuration.rateLimitPerSource = 5
        try await IngestionFixture.run(configuration: configuration) { fixture, client in
            let messages = (0..<10).map { #"{"type": "track", "userId": "u", "event": "E\#($0)"}"# }.joined(separator: ",")
            try await client.execute(uri: "/v1/batch", method: .post, headers: fixture.headers(), body: body(#"{"batch": [\#(messages)]}"#)) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/batch", method: .post, headers: fixture.headers(), body: body(#"{"batch": [\#(messages)]}"#)) { response in
                #expect(response.status == .tooManyRequests)
                #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 >= 1)
                #expect(String(buffer: response.body).contains(#""code":"rate_limited""#))
            }
            #expect(try await fixture.count("events") == 10)
        }
    }
}

/// gzip from the system's own gzip, independent of the code under test.
func gzip(_ data: Data) async throws -> Data {
    let input = FileManager.default.temporaryDirectory.appendingPathComponent("kinship-gzip-\(UUID().uuidString)")
    try data.write(to: input)
    defer { try? FileManager.default.removeItem(at: input) }
    return try await ChildProcess.run(URL(fileURLWithPath: "/bin/gzip"), ["-c", "-6", input.path], inheriting: .all).outputData
}
