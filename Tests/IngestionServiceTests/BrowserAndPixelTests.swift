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

@Suite struct BrowserAndPixelTests {
    @Test func thePixelAlwaysAnswersAGifAndStoresGoodInput() async throws {
        try await IngestionFixture.run { fixture, client in
            let message = #"{"writeKey": "\#(fixture.writeKey)", "messageId": "px-1", "userId": "u", "event": "Email Opened"}"#
            let data = Data(message.utf8).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            for uri in ["/v1/pixel/track?data=\(data)", "/v1/pixel/track?data=%%%", "/v1/pixel/track", "/v1/pixel/explode?data=\(data)"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok, "\(uri)")
                    #expect(response.headers[.contentType] == "image/gif")
                    #expect(response.headers[.cacheControl]?.contains("no-store") == true)
                    #expect(Array(response.body.readableBytesView.prefix(6)) == Array("GIF89a".utf8))
                }
            }
            let stored = try await fixture.storedEvents()
            #expect(stored["px-1"]?["event"] == .string("Email Opened"))
            // The unknown pixel type of a known source is kept as a failed event.
            #expect(try await fixture.failedCodes() == ["invalid_type"])
        }
    }

    @Test func theTrackerScriptIsServedAndBrowsersMayCallFromOtherOrigins() async throws {
        try await IngestionFixture.run { _, client in
            try await client.execute(uri: "/kinship.js", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/javascript") == true)
                #expect(String(buffer: response.body).contains("window.kinship"))
            }
            try await client.execute(
                uri: "/v1/batch", method: .options,
                headers: [.origin: "https://shop.example", .accessControlRequestMethod: "POST", .accessControlRequestHeaders: "content-type"]
            ) { response in
                #expect(response.status == .noContent || response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == "*")
                #expect(response.headers[.accessControlAllowMethods]?.contains("POST") == true)
            }
        }
    }
}
