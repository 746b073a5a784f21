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

/// No identifier of a person is kept in clear in any column of any table ingestion writes.
@Suite struct IdentifierSealingTests {
    @Test func identifiersAreSealedInEveryRowAndOpenAgain() async throws {
        try await IngestionFixture.run { fixture, client in
            let batch = #"""
            {"batch": [
              {"type": "identify", "messageId": "ids-1", "userId": "crm-7f3a9c", "anonymousId": "anon-51d2e8",
               "context": {"externalIds": [{"id": "LINE-998877", "type": "line_user", "collection": "users", "encoding": "none"}]}},
              {"type": "alias", "messageId": "ids-2", "userId": "crm-7f3a9c", "previousId": "anon-prev-4411"},
              {"type": "track", "messageId": "ids-3", "userId": 4242424242, "event": "Order Completed"},
              {"type": "track", "messageId": "ids-4", "userId": "refused-user-5150"}
            ]}
            """#
            try await client.execute(uri: "/v1/batch", method: .post, headers: fixture.headers(), body: body(batch)) { response in
                let json = try jsonBody(response)
                #expect(json["stored"] == .number(3))
                #expect(json["refused"]?.arrayValue?.map { $0["code"] } == [.string("missing_event")])
            }
            // Every column of every row ingestion wrote for this workspace, as text.
            let atRest = try await fixture.database.query(
                """
                SELECT coalesce(string_agg(t, ' '), '') FROM (
                    SELECT e::text AS t FROM events e WHERE workspace_id = \(fixture.workspace.id)
                    UNION ALL SELECT f::text FROM failed_events f WHERE workspace_id = \(fixture.workspace.id)
                    UNION ALL SELECT o::text FROM outbox o WHERE workspace_id = \(fixture.workspace.id)
                    UNION ALL SELECT d::text FROM event_message_ids d WHERE workspace_id = \(fixture.workspace.id)
                ) AS rows
                """,
                logger: TestDatabase.logger
            ).decode(String.self).first(where: { _ in true }) ?? ""
            #expect(atRest.contains("Order Completed"), "the rows were read")
            for identifier in ["crm-7f3a9c", "anon-51d2e8", "LINE-998877", "anon-prev-4411", "4242424242", "refused-user-5150"] {
                #expect(!atRest.contains(identifier), "\(identifier) is in clear at rest")
            }

            let events = try await fixture.storedEvents()
            #expect(events["ids-1"]?["userId"] == .string("crm-7f3a9c"))
            #expect(events["ids-1"]?["anonymousId"] == .string("anon-51d2e8"))
            #expect(events["ids-1"]?["context"]?["externalIds"] == .array([.object([
                "id": .string("LINE-998877"), "type": .string("line_user"), "collection": .string("users"), "encoding": .string("none"),
            ])]))
            #expect(events["ids-2"]?["previousId"] == .string("anon-prev-4411"))
            // An id sent as a number comes back as the number it was.
            #expect(events["ids-3"]?["userId"] == .number(4_242_424_242))
        }
    }

    @Test func aSealedIdentifierOpensOnlyAtItsOwnPath() throws {
        let sealing = SealedFields(key: .generate(), workspaceID: UUID())
        let sealed = try sealing.sealMessage([
            "userId": .string("u-1"), "context": .object(["externalIds": .array([.object(["id": .string("x-1")]), .object(["id": .string("x-2")])])]),
        ])
        #expect(sealed["userId"]?["$sealed"] != nil)
        #expect(try sealing.openMessage(sealed)["context"]?["externalIds"]?.arrayValue?.map { $0["id"] } == [.string("x-1"), .string("x-2")])
        // The user id moved to anonymousId, or the second external id moved to the first place, does not open.
        var moved = sealed
        moved["anonymousId"] = moved.removeValue(forKey: "userId")
        #expect(throws: (any Error).self) { try sealing.openMessage(moved) }
        let externals = try #require(sealed["context"]?["externalIds"]?.arrayValue)
        #expect(throws: (any Error).self) {
            try sealing.openMessage(["context": .object(["externalIds": .array([externals[1], externals[0]])])])
        }
    }

    @Test func oneRequestSealsARepeatedValueOnceAndOnlyAtTheSamePath() throws {
        let sealing = SealedFields(key: .generate(), workspaceID: UUID())
        var memo = SealedFields.Memo()
        func sealed(_ message: [String: JSONValue], _ memo: inout SealedFields.Memo) throws -> [String: JSONValue] {
            var message = message
            try sealing.seal(&message, memo: &memo)
            return message
        }
        let first = try sealed(["userId": .string("u-1"), "anonymousId": .string("u-1")], &memo)
        let second = try sealed(["userId": .string("u-1"), "context": .object(["ip": .string("203.0.113.0")])], &memo)
        // The same value at the same path within one request: one ciphertext, which opens.
        #expect(second["userId"] == first["userId"])
        #expect(try sealing.openMessage(second)["userId"] == .string("u-1"))
        // The same value at another path, or in another request, is sealed anew.
        #expect(first["anonymousId"] != first["userId"])
        var otherRequest = SealedFields.Memo()
        #expect(try sealed(["userId": .string("u-1")], &otherRequest)["userId"] != first["userId"])
    }
}
