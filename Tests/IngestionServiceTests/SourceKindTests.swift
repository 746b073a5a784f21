import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import KinshipCore
import KinshipDatabase
import KinshipTestSupport
import Testing
@testable import IngestionService

/// A browser key is public: it may send tracking calls but not import, and it cannot make another
/// source's messages repeats by sending their ids first. Imports are paced per source.
@Suite struct SourceKindTests {
    /// A browser source in the fixture's workspace; returns its write key.
    static func browserKey(_ fixture: IngestionFixture) async throws -> String {
        let tenancy = TenancyStore(database: fixture.database, keyring: TestKeys.keyring, logger: TestDatabase.logger)
        return try await tenancy.createSource(in: fixture.workspace, name: "web-\(UUID().uuidString.prefix(6))", kind: .browser, actor: "test").secret
    }

    @Test func aBrowserKeyTracksButMayNotImport() async throws {
        try await IngestionFixture.run { fixture, client in
            let browser: HTTPFields = [.authorization: basicAuthorization(user: try await Self.browserKey(fixture))]
            let line = #"{"type": "track", "userId": "u", "event": "Order Completed", "messageId": "imp-1"}"#
            try await client.execute(uri: "/v1/import", method: .post, headers: browser, body: body(line)) { response in
                #expect(response.status == .forbidden)
                #expect(String(buffer: response.body).contains(#""code":"source_kind_not_allowed""#))
            }
            try await client.execute(uri: "/v1/track", method: .post, headers: browser, body: body(line)) { response in
                #expect(response.status == .ok)
            }
            // The fixture's own source is a server source.
            try await client.execute(uri: "/v1/import", method: .post, headers: fixture.headers(), body: body(line.replacingOccurrences(of: "imp-1", with: "imp-2"))) { response in
                #expect(response.status == .ok)
            }
            #expect(try await fixture.storedEvents().keys.sorted() == ["imp-1", "imp-2"])
        }
    }

    @Test func oneSourceCannotShadowAnothersMessageIds() async throws {
        try await IngestionFixture.run { fixture, client in
            let browser: HTTPFields = [.authorization: basicAuthorization(user: try await Self.browserKey(fixture))]
            let order = #"{"userId": "u", "event": "Order Completed", "messageId": "order-1234", "properties": {"total": 10}}"#
            // Someone with the public key claims the shop's next order id first.
            try await client.execute(uri: "/v1/track", method: .post, headers: browser, body: body(order)) { response in
                let json = try jsonBody(response)
                #expect(json["stored"] == .number(1))
            }
            // The back-end's real event is still stored; its own repeat is a duplicate.
            for expected in [(stored: 1, duplicates: 0), (stored: 0, duplicates: 1)] {
                try await client.execute(uri: "/v1/track", method: .post, headers: fixture.headers(), body: body(order)) { response in
                    let json = try jsonBody(response)
                    #expect(json["stored"] == .number(Double(expected.stored)))
                    #expect(json["duplicates"] == .number(Double(expected.duplicates)))
                }
            }
            let sources = try await fixture.database.query(
                "SELECT count(DISTINCT source_id)::int FROM events WHERE workspace_id = \(fixture.workspace.id) AND message_id = 'order-1234'",
                logger: TestDatabase.logger
            ).decode(Int.self).collectAll()
            #expect(sources == [2])
        }
    }

    @Test func importsArePacedPerSource() async throws {
        var configuration = IngestionConfiguration()
        configuration.importRowsPerSecond = 1000  // bursts of 2,000
        try await IngestionFixture.run(configuration: configuration) { fixture, client in
            let file = (0..<5000).map { #"{"type": "track", "userId": "u-\#($0)", "event": "Imported"}"# }.joined(separator: "\n")
            let started = ContinuousClock.now
            try await client.execute(uri: "/v1/import", method: .post, headers: fixture.headers(), body: body(file)) { response in
                #expect(response.status == .ok)
                let json = try jsonBody(response)
                #expect(json["stored"] == .number(5000))
            }
            // 2,000 at once, then 1,000 a second: about three seconds for the other 3,000.
            #expect(ContinuousClock.now - started > .milliseconds(2500))
        }
    }

    @Test func aDerivedImportIdIsKeyedNotAPlainHashOfTheRow() async throws {
        try await IngestionFixture.run { fixture, client in
            let row: [String: JSONValue] = ["type": "identify", "userId": "u", "traits": ["email": "someone@example.com"]]
            try await client.execute(uri: "/v1/import", method: .post, headers: fixture.headers(), body: body(JSONValue.object(row).serialized())) { response in
                let json = try jsonBody(response)
                #expect(json["stored"] == .number(1))
            }
            let stored = try #require(try await fixture.storedEvents().keys.first)
            #expect(stored.hasPrefix("import-"))
            // Anyone could compute an unkeyed digest from a guess of the row.
            let guess = SHA256.hash(data: Data(fixture.sourceID.uuidString.utf8) + Data([0]) + Data(JSONValue.object(row).serialized().utf8))
            #expect(stored != "import-" + Data(guess.prefix(16)).map { String(format: "%02x", $0) }.joined())
        }
    }
}
