import Foundation
import Hummingbird
import HummingbirdTesting
import KinshipCore
import KinshipService
import KinshipTestSupport
import Testing
@testable import SegmentationService

/// Segmentation's internal API over HTTP: segments made, changed, listed, previewed and deleted; a profile's
/// view; and what it refuses.
struct SegmentRoutesTests {
    static let token = "Bearer \(TestKeys.internalToken)"

    func app(_ shop: EvaluatorFixture) -> some ApplicationProtocol {
        let router = Router(context: KinshipRequestContext.self)
        router.add(middleware: ErrorMiddleware())
        SegmentRoutes(database: shop.database, internalToken: TestKeys.internalToken).add(to: router)
        ProfileSegmentRoutes(database: shop.database, internalToken: TestKeys.internalToken).add(to: router)
        return Application(router: router)
    }

    static func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    @Test func aSegmentIsMadeChangedPreviewedListedAndDeleted() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await EvaluatorFixture(database: database)
            let (big, small) = (try await shop.profile(), try await shop.profile())
            try await shop.track("Order Completed", of: big, at: Date() - 3600, properties: ["order_id": "o-1", "total": 9000])
            try await shop.track("Order Completed", of: small, at: Date() - 3600, properties: ["order_id": "o-2", "total": 90])
            try await shop.evaluate([big, small])
            let base = "/internal/v1/segments?workspace=\(shop.workspace.id)"
            try await app(shop).test(.router) { client in
                var id = ""
                try await client.execute(
                    uri: base, method: .post, headers: [.authorization: Self.token],
                    body: Self.json(#"{"name": "Big spenders", "definition": {"computed": "revenue", "op": "gt", "value": 1000}}"#)
                ) { response in
                    #expect(response.status == .created)
                    let view = try JSONCoding.decode(SegmentView.self, from: Data(buffer: response.body))
                    #expect(view.size == 1 && view.version == 1 && view.name == "Big spenders")
                    id = view.id
                }
                try await client.execute(
                    uri: base, method: .post, headers: [.authorization: Self.token],
                    body: Self.json(#"{"name": "Big spenders", "definition": {"computed": "revenue", "op": "gt", "value": 1}}"#)
                ) { response in
                    #expect(response.status == .conflict)
                    #expect(String(buffer: response.body).contains("segment_exists"))
                }
                try await client.execute(
                    uri: "/internal/v1/segments/\(id)?workspace=\(shop.workspace.id)", method: .put, headers: [.authorization: Self.token],
                    body: Self.json(#"{"name": "Spenders", "definition": {"computed": "revenue", "op": "gt", "value": 10}}"#)
                ) { response in
                    #expect(response.status == .ok)
                    let view = try JSONCoding.decode(SegmentView.self, from: Data(buffer: response.body))
                    #expect(view.size == 2 && view.version == 2 && view.name == "Spenders")
                }
                try await client.execute(
                    uri: "/internal/v1/segments/preview?workspace=\(shop.workspace.id)", method: .post, headers: [.authorization: Self.token],
                    body: Self.json(#"{"definition": {"event": "Order Completed", "aggregate": "sum", "property": "total", "op": "lt", "value": 100}, "sampleSize": 5}"#)
                ) { response in
                    #expect(response.status == .ok)
                    let preview = try JSONCoding.decode(SegmentPreview.self, from: Data(buffer: response.body))
                    #expect(preview.size == 1 && preview.sample == [small.lowercased])
                }
                try await client.execute(uri: base, method: .get, headers: [.authorization: Self.token]) { response in
                    let views = try JSONCoding.decode([SegmentView].self, from: Data(buffer: response.body))
                    #expect(views.map(\.name) == ["Spenders"] && views.first?.size == 2)
                }
                try await client.execute(
                    uri: "/internal/v1/profiles/\(small)/segments?workspace=\(shop.workspace.id)", method: .get, headers: [.authorization: Self.token]
                ) { response in
                    let view = try JSONCoding.decode(ProfileSegmentsView.self, from: Data(buffer: response.body))
                    #expect(view.computed["revenue"] == .number(90))
                    #expect(view.memberships.map(\.segmentName) == ["Spenders"] && view.memberships.first?.segmentVersion == 2)
                }
                try await client.execute(
                    uri: "/internal/v1/segments/\(id)?workspace=\(shop.workspace.id)", method: .delete, headers: [.authorization: Self.token]
                ) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(uri: base, method: .get, headers: [.authorization: Self.token]) { response in
                    #expect(String(buffer: response.body) == "[]")
                }
            }
            #expect(try await shop.announcements().map(\.kind) == [.entered, .entered, .exited, .exited])
        }
    }

    /// The profile's consent history lists each category's first choice and its changes, newest first; a
    /// choice stated again (as kinship.js does on every event) is not listed again.
    @Test func aProfilesConsentHistoryListsItsChangesNotItsRepeats() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await EvaluatorFixture(database: database)
            let person = try await shop.profile()
            let now = Date()
            for (days, marketing, id) in [(6.0, true, "m1"), (5, true, "m2"), (4, false, "m3"), (3, false, "m4"), (2, true, "m5")] {
                try await shop.track(
                    "Product Viewed", of: person, at: now - days * 86_400,
                    context: ["consent": ["categoryPreferences": ["marketing": .bool(marketing), "analytics": true]]], messageId: id
                )
            }
            try await shop.evaluate([person], now: now)
            try await app(shop).test(.router) { client in
                try await client.execute(
                    uri: "/internal/v1/profiles/\(person)/segments?workspace=\(shop.workspace.id)", method: .get, headers: [.authorization: Self.token]
                ) { response in
                    let view = try JSONCoding.decode(ProfileSegmentsView.self, from: Data(buffer: response.body))
                    #expect(view.consentHistory.map { "\($0.category)=\($0.granted)@\($0.messageId)" } == [
                        "marketing=true@m5", "marketing=false@m3", "analytics=true@m1", "marketing=true@m1",
                    ])
                    #expect(view.consent == ["marketing": true, "analytics": true])
                }
            }
        }
    }

    @Test func badRequestsAreRefusedWithAStableCode() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await EvaluatorFixture(database: database)
            let base = "/internal/v1/segments?workspace=\(shop.workspace.id)"
            try await app(shop).test(.router) { client in
                try await client.execute(uri: base, method: .get) { response in
                    #expect(response.status == .unauthorized)
                }
                try await client.execute(uri: "/internal/v1/segments", method: .get, headers: [.authorization: Self.token]) { response in
                    #expect(response.status == .badRequest)
                    #expect(String(buffer: response.body).contains("missing_workspace"))
                }
                let refusals: [(body: String, code: String, says: String)] = [
                    (#"{"name": "x", "definition": {"all": [{"computed": "a", "op": "gt", "value": 1}, {"trait": "b", "op": "near"}]}}"#,
                     "invalid_segment_definition", "at /all/1/op"),
                    (#"{"name": "", "definition": {"computed": "a", "op": "gt", "value": 1}}"#, "invalid_segment", "name"),
                    (#"{"name": "x", "definition": {"computed": "a", "op": "gt", "value": 1}, "requiredConsent": "mark eting"}"#, "invalid_segment", "requiredConsent"),
                    (#"{"definition": {}}"#, "invalid_body", "name and definition"),
                    ("not json", "invalid_body", "name and definition"),
                ]
                for refusal in refusals {
                    try await client.execute(uri: base, method: .post, headers: [.authorization: Self.token], body: Self.json(refusal.body)) { response in
                        let body = String(buffer: response.body)
                        #expect(response.status == .badRequest, "\(refusal.body): \(body)")
                        #expect(body.contains(refusal.code) && body.contains(refusal.says), "\(refusal.body): \(body)")
                    }
                }
                try await client.execute(
                    uri: "/internal/v1/segments/\(UUID())?workspace=\(shop.workspace.id)", method: .get, headers: [.authorization: Self.token]
                ) { response in
                    #expect(response.status == .notFound)
                }
                try await client.execute(
                    uri: "/internal/v1/segments/preview?workspace=\(shop.workspace.id)", method: .post, headers: [.authorization: Self.token],
                    body: Self.json(#"{"definition": {"computed": "a", "op": "exists", "value": true}, "sampleSize": 101}"#)
                ) { response in
                    #expect(response.status == .badRequest)
                    #expect(String(buffer: response.body).contains("sampleSize"))
                }
            }
            #expect(try await shop.announcements().isEmpty)
        }
    }
    @Test func aConditionOnASealedTraitIsRefusedAtCreateUpdateAndPreviewWithItsPointer() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await EvaluatorFixture(database: database)
            let base = "/internal/v1/segments?workspace=\(shop.workspace.id)"
            let sealed = #"{"all": [{"trait": "plan", "op": "eq", "value": "gold"}, {"trait": "email", "op": "eq", "value": "a@example.com"}]}"#
            let message = "at /all/1/op: trait `email` is encrypted at rest (personal data), so only `exists` can be tested on it"
            // A definition holding such a condition, written straight to the table as one saved earlier: it still loads.
            let saved = UUID()
            try await database.query(
                """
                INSERT INTO segments (workspace_id, id, name, definition)
                VALUES (\(shop.workspace.id), \(saved), 'Saved on e-mail', '{"trait": "email", "op": "eq", "value": "a@example.com"}'::jsonb)
                """,
                logger: EvaluatorFixture.logger
            )
            try await app(shop).test(.router) { client in
                func expectRefused(_ response: TestResponse, _ what: String) throws {
                    #expect(response.status == .badRequest, "\(what)")
                    let error = try JSONCoding.decode(ErrorBody.self, from: Data(buffer: response.body)).error
                    #expect(error.code == "invalid_segment_definition" && error.message == message, "\(what): \(error)")
                }
                try await client.execute(
                    uri: base, method: .post, headers: [.authorization: Self.token], body: Self.json(#"{"name": "Sealed", "definition": \#(sealed)}"#)
                ) { try expectRefused($0, "create") }
                var id = ""
                try await client.execute(
                    uri: base, method: .post, headers: [.authorization: Self.token],
                    body: Self.json(#"{"name": "Has an e-mail", "definition": {"trait": "email", "op": "exists", "value": true}}"#)
                ) { response in
                    #expect(response.status == .created, "exists is what can be tested on a sealed trait")
                    id = try JSONCoding.decode(SegmentView.self, from: Data(buffer: response.body)).id
                }
                try await client.execute(
                    uri: "/internal/v1/segments/\(id)?workspace=\(shop.workspace.id)", method: .put, headers: [.authorization: Self.token],
                    body: Self.json(#"{"name": "Has an e-mail", "definition": \#(sealed)}"#)
                ) { try expectRefused($0, "update") }
                try await client.execute(
                    uri: "/internal/v1/segments/preview?workspace=\(shop.workspace.id)", method: .post, headers: [.authorization: Self.token],
                    body: Self.json(#"{"definition": \#(sealed)}"#)
                ) { try expectRefused($0, "preview") }
                try await client.execute(uri: base, method: .get, headers: [.authorization: Self.token]) { response in
                    #expect(response.status == .ok)
                    let views = try JSONCoding.decode([SegmentView].self, from: Data(buffer: response.body))
                    #expect(views.map(\.name) == ["Has an e-mail", "Saved on e-mail"])
                    #expect(views.first?.version == 1, "the refused update made no version")
                }
            }
        }
    }

    @Test func aTraitTheWorkspacesPolicyClassifiesIsRefusedToo() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await EvaluatorFixture(database: database)
            let policy = #"{"classification": {"sensitive": ["shoe size"]}}"#
            try await database.query(
                "INSERT INTO privacy_policies (workspace_id, version, policy, updated_by) VALUES (\(shop.workspace.id), 1, \(policy)::jsonb, 'test')",
                logger: EvaluatorFixture.logger
            )
            let other = try await EvaluatorFixture(database: database)
            let definition = #"{"trait": "shoe_size", "op": "eq", "value": "42"}"#
            try await app(shop).test(.router) { client in
                for workspace in [shop.workspace.id, other.workspace.id] {
                    try await client.execute(
                        uri: "/internal/v1/segments/preview?workspace=\(workspace)", method: .post, headers: [.authorization: Self.token],
                        body: Self.json(#"{"definition": \#(definition)}"#)
                    ) { response in
                        if workspace == shop.workspace.id {
                            #expect(response.status == .badRequest)
                            let error = try JSONCoding.decode(ErrorBody.self, from: Data(buffer: response.body)).error
                            #expect(error.message == "at /op: trait `shoe_size` is encrypted at rest (sensitive data), so only `exists` can be tested on it")
                        } else {
                            #expect(response.status == .ok, "a workspace whose policy does not name it keeps shoe_size in clear")
                        }
                    }
                }
                try await client.execute(
                    uri: "/internal/v1/segments?workspace=\(shop.workspace.id)", method: .post, headers: [.authorization: Self.token],
                    body: Self.json(#"{"name": "Size 42", "definition": \#(definition)}"#)
                ) { response in
                    #expect(response.status == .badRequest)
                }
            }
        }
    }
}
