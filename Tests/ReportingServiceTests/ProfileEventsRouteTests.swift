import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import KinshipService
import KinshipTestSupport
import PostgresNIO
import Testing
@testable import ReportingService

/// The public API's access rules on a route that reads Postgres alone (`GET /v1/profiles/{id}/events`):
/// keys and roles, masking, workspace isolation, revocation and pages.
struct ProfileEventsRouteTests {
    /// A workspace with one profile holding three events, the second with an e-mail sealed as ingestion seals it.
    struct Shop {
        let workspace: Workspace
        let profile: UUID
        let keys: [APIRole: String]
        let tenancy: TenancyStore

        init(_ database: PostgresClient) async throws {
            tenancy = TenancyStore(database: database, keyring: TestKeys.keyring, logger: TestDatabase.logger)
            workspace = try await tenancy.createWorkspace(name: TestKeys.uniqueName("rep"), actor: "test")
            let source = try await tenancy.createSource(in: workspace, name: "web", actor: "test").owner.id
            var keys: [APIRole: String] = [:]
            for role in APIRole.allCases {
                keys[role] = try await tenancy.createAPIKey(in: workspace, name: role.rawValue, role: role, actor: "test").secret
            }
            self.keys = keys
            profile = UUID()
            try await database.query(
                "INSERT INTO profiles (workspace_id, id, data_key) VALUES (\(workspace.id), \(profile), \(try TestKeys.keyring.wrap(DataKey.generate())))",
                logger: TestDatabase.logger
            )
            let sealing = SealedFields(key: try await tenancy.keys(for: workspace.id).dataKey, workspaceID: workspace.id)
            let start = Date(timeIntervalSince1970: 1_780_000_000)
            for index in 0..<3 {
                let messageId = "m-\(index)"
                var message: [String: JSONValue] = [
                    "type": .string("track"), "event": .string("Order Completed"), "messageId": .string(messageId),
                    "properties": .object(["order_id": .string("o-\(index)"), "email": .string("somchai@example.co.th")]),
                ]
                message = try sealing.sealMessage(message)
                let time = start.addingTimeInterval(Double(index) * 60)
                try await database.query(
                    """
                    INSERT INTO events (workspace_id, received_at, message_id, source_id, type, event, event_time, message)
                    VALUES (\(workspace.id), \(time), \(messageId), \(source), 'track', 'Order Completed', \(time), \(JSONValue.object(message).serialized())::jsonb)
                    """,
                    logger: TestDatabase.logger
                )
                try await database.query(
                    """
                    INSERT INTO event_profiles (workspace_id, received_at, message_id, profile_id, event_time)
                    VALUES (\(workspace.id), \(time), \(messageId), \(profile), \(time))
                    """,
                    logger: TestDatabase.logger
                )
            }
            // As reporting's worker rolls them up for the reports.
            let workspaceID = workspace.id
            _ = try await database.withConnection { try await ReportRollupWriter(logger: TestDatabase.logger).rollAll(in: workspaceID, on: $0) }
        }
    }

    static func get(_ client: some TestClientProtocol, _ path: String, key: String?) async throws -> (HTTPResponse.Status, Data) {
        var headers = HTTPFields()
        if let key { headers[.authorization] = "Bearer \(key)" }
        return try await client.execute(uri: path, method: .get, headers: headers) { ($0.status, Data(buffer: $0.body)) }
    }

    static func errorCode(_ body: Data) -> String? {
        try? JSONCoding.decoder().decode(ErrorBody.self, from: body).error.code
    }

    /// schemathesis found it: a NUL in an identifier made the internal call fail, answered as identity being down.
    @Test func anIdentifierWithAControlCharacterIsRefusedNotPassedOn() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await Shop(database)
            let app = try ReportingApplication.build(ServiceRuntime(configuration: TestKeys.configuration(.reporting)))
            try await app.test(.router) { client in
                for path in ["/v1/profiles?identifier_type=email&identifier_value=a%00b", "/v1/profiles/search?q=x%13y"] {
                    let (status, body) = try await Self.get(client, path, key: shop.keys[.analyst])
                    #expect(status == .badRequest, "\(path)")
                    #expect(Self.errorCode(body) == "invalid_parameter")
                }
            }
        }
    }

    @Test func rolesMaskingIsolationRevocationAndPages() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await Shop(database)
            let other = try await Shop(database)
            let app = try ReportingApplication.build(ServiceRuntime(configuration: TestKeys.configuration(.reporting)))
            try await app.test(.router) { client in
                let path = "/v1/profiles/\(shop.profile.lowercased)/events"
                #expect(Self.errorCode(try await Self.get(client, path, key: nil).1) == "missing_api_key")
                let (unknown, unknownBody) = try await Self.get(client, path, key: "ka_not-a-key")
                #expect(unknown == .unauthorized)
                #expect(Self.errorCode(unknownBody) == "invalid_api_key")
                let (viewer, viewerBody) = try await Self.get(client, path, key: shop.keys[.viewer])
                #expect(viewer == .forbidden)
                #expect(Self.errorCode(viewerBody) == "forbidden")

                // An analyst sees the events with the e-mail masked, newest first.
                let (status, body) = try await Self.get(client, path, key: shop.keys[.analyst])
                #expect(status == .ok)
                let page = try JSONCoding.decoder().decode(Page<PublicEvent>.self, from: body)
                #expect(page.items.map(\.messageId) == ["m-2", "m-1", "m-0"])
                #expect(page.items.allSatisfy { $0.properties["email"] == SealedFields.maskedValue })
                #expect(!String(decoding: body, as: UTF8.self).contains("somchai"))

                // An admin sees it in clear, a page at a time.
                let (_, first) = try await Self.get(client, path + "?limit=2", key: shop.keys[.admin])
                let firstPage = try JSONCoding.decoder().decode(Page<PublicEvent>.self, from: first)
                #expect(firstPage.items.map(\.messageId) == ["m-2", "m-1"])
                #expect(firstPage.items[0].properties["email"] == .string("somchai@example.co.th"))
                let cursor = try #require(firstPage.nextCursor)
                let escaped = cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? cursor
                let (_, second) = try await Self.get(client, path + "?limit=2&cursor=\(escaped)", key: shop.keys[.admin])
                let secondPage = try JSONCoding.decoder().decode(Page<PublicEvent>.self, from: second)
                #expect(secondPage.items.map(\.messageId) == ["m-0"])
                #expect(secondPage.nextCursor == nil)
                #expect(try await Self.get(client, path + "?limit=0", key: shop.keys[.admin]).0 == .badRequest)

                // Another workspace's key learns nothing of this profile.
                let (foreign, foreignBody) = try await Self.get(client, path, key: other.keys[.admin])
                #expect(foreign == .notFound)
                #expect(Self.errorCode(foreignBody) == "not_found")

                // A revoked key stops working at once.
                _ = try await shop.tenancy.revokeAPIKey(.name("analyst"), in: shop.workspace, actor: "test")
                #expect(try await Self.get(client, path, key: shop.keys[.analyst]).0 == .unauthorized)
            }
        }
    }

    @Test func theOpenAPIDocumentIsServedWithoutAKeyAndNamesEveryRoute() async throws {
        try await TestDatabase.withClient { _ in }
        let app = try ReportingApplication.build(ServiceRuntime(configuration: TestKeys.configuration(.reporting)))
        try await app.test(.router) { client in
            let (status, body) = try await Self.get(client, "/openapi.json", key: nil)
            #expect(status == .ok)
            let document = try JSONValue.parse(String(decoding: body, as: UTF8.self))
            #expect(document["openapi"] == .string("3.1.0"))
            // Every route is documented, and every report.
            let (router, _) = try ReportingApplication.routes(ServiceRuntime(configuration: TestKeys.configuration(.reporting)), configuration: ReportingConfiguration())
            let documented = Set((document["paths"]?.objectValue ?? [:]).flatMap { path, operations in
                (operations.objectValue ?? [:]).keys.map { "\($0.uppercased()) \(path)" }
            })
            let operational: Set<String> = ["/healthz", "/readyz", "/metrics"]
            #expect(router.routes.count > 15, "the router lists its routes")
            for route in router.routes {
                let path = "/" + route.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
                // The dashboard's pages are for browsers, not part of the API the document describes.
                if operational.contains(path) || path.hasPrefix("/dashboard") { continue }
                if path == "/v1/reports/{name}" {
                    let reports = Set(documented.filter { $0.hasPrefix("GET /v1/reports/") }.map { String($0.dropFirst("GET /v1/reports/".count)) })
                    #expect(reports == Set(ReportRoutes.reports.keys), "the reports documented are the reports served")
                    continue
                }
                #expect(documented.contains("\(route.method.rawValue) \(path)"), "\(route.method.rawValue) \(path) is served but not documented")
            }
            // Every documented operation exists: without a key it is refused as unauthenticated, not unknown.
            for (path, operations) in document["paths"]?.objectValue ?? [:] where path != "/openapi.json" {
                let concrete = path.replacingOccurrences(of: "{id}", with: UUID().uuidString.lowercased())
                for method in (operations.objectValue ?? [:]).keys {
                    let status = try await client.execute(uri: concrete, method: HTTPRequest.Method(rawValue: method.uppercased())!) { $0.status }
                    #expect(status == .unauthorized, "\(method) \(path)")
                }
            }
        }
    }
}
