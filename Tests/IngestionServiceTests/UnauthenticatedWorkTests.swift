import Foundation
import Hummingbird
import HummingbirdTesting
import KinshipCore
import KinshipDatabase
import KinshipTestSupport
import Testing
@testable import IngestionService

/// A request with a wrong key costs no more than its headers, and an address that keeps guessing keys
/// stops costing database lookups; keys already known keep working from it.
@Suite struct UnauthenticatedWorkTests {
    @Test func aWrongHeaderKeyIsRefusedBeforeTheBodyIsRead() async throws {
        try await IngestionFixture.run { fixture, client in
            let wrong = basicAuthorization(user: "wk_wrong")
            // Read first, these bodies would be refused for what they are (not JSON, too large, not gzip).
            let bodies: [(ByteBuffer, HTTPFields)] = [
                (body("this is not json"), [:]),
                (ByteBuffer(repeating: UInt8(ascii: "x"), count: 600 * 1024), [:]),
                (body("not gzip either"), [.contentEncoding: "gzip"]),
            ]
            for path in ["/v1/batch", "/v1/track"] {
                for (payload, extra) in bodies {
                    var headers: HTTPFields = [.authorization: wrong]
                    headers.append(contentsOf: extra)
                    try await client.execute(uri: path, method: .post, headers: headers, body: payload) { response in
                        #expect(response.status == .unauthorized)
                        #expect(String(buffer: response.body).contains(#""code":"invalid_write_key""#))
                    }
                }
            }
        }
    }

    @Test func anAddressThatKeepsFailingIsThrottledWhileKnownKeysWork() async throws {
        var configuration = IngestionConfiguration()
        configuration.authenticationFailuresPerMinute = 10  // a burst of 5, then one every 6 s
        try await IngestionFixture.run(configuration: configuration) { fixture, client in
            let message = #"{"userId": "u-1", "event": "E"}"#
            // The good key is known before the guessing starts.
            try await client.execute(uri: "/v1/track", method: .post, headers: fixture.headers(), body: body(message)) { response in
                #expect(response.status == .ok)
            }
            var statuses: [HTTPResponse.Status] = []
            for n in 0..<8 {
                try await client.execute(
                    uri: "/v1/track", method: .post, headers: [.authorization: basicAuthorization(user: "wk_guess_\(n)")], body: body(message)
                ) { response in
                    statuses.append(response.status)
                    if response.status == .tooManyRequests {
                        #expect(response.headers[.retryAfter] != nil)
                        #expect(String(buffer: response.body).contains(#""code":"rate_limited""#))
                    }
                }
            }
            #expect(statuses == Array(repeating: .unauthorized, count: 5) + Array(repeating: .tooManyRequests, count: 3))
            try await client.execute(uri: "/v1/track", method: .post, headers: fixture.headers(), body: body(message)) { response in
                #expect(response.status == .ok)
            }
        }
    }
}
