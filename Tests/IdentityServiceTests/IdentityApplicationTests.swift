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
@testable import IdentityService

/// The real identity application on its own database (its consumer takes every workspace's events).
struct IdentityApplicationTests {
    @Test func servesHealthReadinessMetricsAndErrors() async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url) { _ in }  // migrates
            let configuration = try ServiceConfiguration.load(.identity, from: Environment(TestKeys.environment(url: url)))
            try await OperationalRouteChecks.verify(IdentityApplication.build(ServiceRuntime(configuration: configuration)))
        }
    }

    @Test func theConsumerResolvesEventsFromTheBusAndTheInternalAPIFindsThem() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let configuration = try ServiceConfiguration.load(.identity, from: Environment(TestKeys.environment(url: url)))
            try await TestDatabase.withClient(url) { database in
                let tenancy = TenancyStore(database: database, keyring: TestKeys.keyring, logger: TestDatabase.logger)
                let workspace = try await tenancy.createWorkspace(name: "shop", actor: "test")
                let keys = try await tenancy.keys(for: workspace.id)
                // As ingestion stores an event: PII sealed, and a reference on the events topic, in one transaction.
                let message: [String: JSONValue] = [
                    "type": .string("identify"), "messageId": .string("m-1"), "userId": .string("u-1"),
                    "traits": .object(["email": .string("ploy@example.com")]),
                ]
                let sealed = try SealedFields(key: keys.dataKey, workspaceID: workspace.id).sealMessage(message)
                let receivedAt = Timestamp.format(Date())
                try await database.transaction(logger: TestDatabase.logger) { connection in
                    try await connection.query(
                        """
                        INSERT INTO events (workspace_id, received_at, message_id, source_id, type, event_time, message)
                        VALUES (\(workspace.id), \(receivedAt)::timestamptz, 'm-1', \(UUID()), 'identify', now(), \(JSONValue.object(sealed).serialized())::jsonb)
                        """,
                        logger: TestDatabase.logger
                    )
                    try await Outbox.append(
                        [try OutboxDraft(topic: .events, workspaceID: workspace.id, key: "k", payload: EventReference(messageId: "m-1", receivedAt: receivedAt))],
                        on: connection, logger: TestDatabase.logger
                    )
                }
                let app = IdentityApplication.build(ServiceRuntime(configuration: configuration))
                try await app.test(.live) { client in
                    var profile: UUID?
                    _ = try await poll(timeout: .seconds(30), every: .milliseconds(100)) {
                        profile = try await database.query(
                            "SELECT profile_id FROM event_profiles WHERE workspace_id = \(workspace.id) AND message_id = 'm-1'", logger: TestDatabase.logger
                        ).decode(UUID?.self).first(where: { _ in true }) ?? nil
                        return profile != nil
                    }
                    let resolved = try #require(profile, "the consumer never resolved the event")
                    let uri = "/internal/v1/resolve?workspace=\(workspace.id)&type=email&value=PLOY@example.com"
                    try await client.execute(uri: uri, method: .get) { response in
                        #expect(response.status == .unauthorized)
                    }
                    try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(TestKeys.internalToken)"]) { response in
                        #expect(response.status == .ok)
                        #expect(String(buffer: response.body).contains(resolved.lowercased))
                    }
                    try await client.execute(
                        uri: "/internal/v1/profiles/\(resolved)?workspace=\(workspace.id)", method: .get,
                        headers: [.authorization: "Bearer \(TestKeys.internalToken)"]
                    ) { response in
                        #expect(response.status == .ok)
                        let body = String(buffer: response.body)
                        #expect(body.contains("p***@example.com") && !body.contains("ploy@example.com"), "\(body)")
                    }
                }
            }
        }
    }

    @Test func rulesAreReadReplacedVersionedAndDryRunOverHTTP() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let configuration = try ServiceConfiguration.load(.identity, from: Environment(TestKeys.environment(url: url)))
            try await TestDatabase.withClient(url) { database in
                let tenancy = TenancyStore(database: database, keyring: TestKeys.keyring, logger: TestDatabase.logger)
                let workspace = try await tenancy.createWorkspace(name: "shop", actor: "test")
                let auth: HTTPFields = [.authorization: "Bearer \(TestKeys.internalToken)", .contentType: "application/json"]
                let rules = "/internal/v1/rules?workspace=\(workspace.id)"
                try await IdentityApplication.build(ServiceRuntime(configuration: configuration)).test(.live) { client in
                    try await client.execute(uri: rules, method: .get) { #expect($0.status == .unauthorized) }
                    try await client.execute(uri: rules, method: .get, headers: auth) { response in
                        #expect(response.status == .ok)
                        #expect(String(buffer: response.body).contains(#""version":0"#))
                    }
                    try await client.execute(uri: rules, method: .put, headers: auth, body: ByteBuffer(string: #"{"limits": {"email": -1}}"#)) { response in
                        #expect(response.status == .badRequest)
                        #expect(String(buffer: response.body).contains("invalid_rules"))
                    }
                    for expected in [1, 2] {
                        try await client.execute(uri: rules + "&requestedBy=ops", method: .put, headers: auth, body: ByteBuffer(string: #"{"limits": {"email": 2}}"#)) { response in
                            #expect(response.status == .ok)
                            #expect(String(buffer: response.body).contains(#""version":\#(expected)"#))
                        }
                    }
                    try await client.execute(uri: "/internal/v1/rules/dry-run?workspace=\(workspace.id)", method: .post, headers: auth, body: ByteBuffer(string: "{}")) { response in
                        #expect(response.status == .ok)
                        #expect(String(buffer: response.body).contains(#""currentRuleVersion":2"#))
                    }
                    try await client.execute(uri: "/internal/v1/rules?workspace=\(UUID())", method: .put, headers: auth, body: ByteBuffer(string: "{}")) { response in
                        #expect(response.status == .notFound, "an unknown workspace")
                    }
                    for body in ["{}", #"{"identifier": {"type": "email"}}"#, #"{"messageId": ""}"#, "not json"] {
                        try await client.execute(uri: "/internal/v1/profiles/\(UUID())/unmerge?workspace=\(workspace.id)", method: .post, headers: auth, body: ByteBuffer(string: body)) { response in
                            #expect(response.status == .badRequest, "\(body)")
                        }
                    }
                    try await client.execute(
                        uri: "/internal/v1/profiles/\(UUID())/unmerge?workspace=\(workspace.id)", method: .post, headers: auth,
                        body: ByteBuffer(string: #"{"messageId": "m-1"}"#)
                    ) { response in
                        #expect(response.status == .notFound)
                    }
                }
                let history = try await database.query(
                    "SELECT version, updated_by FROM identity_rules_history WHERE workspace_id = \(workspace.id) ORDER BY version", logger: TestDatabase.logger
                ).decode((Int, String).self).collectAll()
                #expect(history.map(\.0) == [1, 2] && history.allSatisfy { $0.1 == "ops" })
            }
        }
    }
}
