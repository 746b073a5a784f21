import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KinshipCore
import KinshipDatabase
import KinshipService
import KinshipTestSupport
import NIOCore
import Testing
@testable import ReportingService

/// `/v1/keys`: an admin makes, lists and revokes keys; a new key works at once, a revoked one stops at once.
struct KeyRoutesTests {
    static func send(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ path: String, key: String, body: String? = nil
    ) async throws -> (HTTPResponse.Status, Data) {
        var headers: HTTPFields = [.authorization: "Bearer \(key)"]
        if body != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) {
            ($0.status, Data(buffer: $0.body))
        }
    }

    @Test func anAdminMakesListsAndRevokesKeys() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ProfileEventsRouteTests.Shop(database)
            let app = try ReportingApplication.build(ServiceRuntime(configuration: TestKeys.configuration(.reporting)))
            try await app.test(.router) { client in
                let admin = try #require(shop.keys[.admin])
                #expect(try await Self.send(client, .get, "/v1/keys", key: shop.keys[.analyst]!).0 == .forbidden)
                #expect(try await Self.send(client, .post, "/v1/keys", key: admin, body: #"{"name": "x", "role": "owner"}"#).0 == .badRequest)

                let (status, body) = try await Self.send(client, .post, "/v1/keys", key: admin, body: #"{"name": "dashboard", "role": "viewer"}"#)
                #expect(status == .created)
                let created = try JSONCoding.decoder().decode(PublicAPIKey.self, from: body)
                let secret = try #require(created.secret)
                #expect(created.role == "viewer")
                // The new key works at once, as a viewer.
                #expect(try await Self.send(client, .get, "/v1/profiles/\(shop.profile.lowercased)/events", key: secret).0 == .forbidden)

                let (_, listed) = try await Self.send(client, .get, "/v1/keys", key: admin)
                let keys = try JSONCoding.decoder().decode(Page<PublicAPIKey>.self, from: listed).items
                #expect(keys.count == 4)
                #expect(keys.allSatisfy { $0.secret == nil })
                #expect(!String(decoding: listed, as: UTF8.self).contains(secret))

                let (revoked, revokedBody) = try await Self.send(client, .delete, "/v1/keys/\(created.id)", key: admin)
                #expect(revoked == .ok)
                #expect(try JSONCoding.decoder().decode(PublicAPIKey.self, from: revokedBody).revokedAt != nil)
                #expect(try await Self.send(client, .get, "/v1/keys", key: secret).0 == .unauthorized)
            }
        }
    }
}
