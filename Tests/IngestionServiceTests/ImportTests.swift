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

@Suite struct ImportTests {
    @Test func ndjsonImportStoresGoodLinesAndNamesTheBadOnesByLine() async throws {
        try await IngestionFixture.run { fixture, client in
            let long = String(repeating: "z", count: 40 * 1024)
            let lines = [
                #"{"type": "track", "userId": "u-1", "event": "Order Completed", "timestamp": "2024-03-01T10:00:00Z", "properties": {"total": 990}}"#,
                "",
                "not json",
                #"{"type": "identify", "userId": "u-1", "traits": {"email": "a@example.com"}}"#,
                #"{"type": "track", "userId": "u-2"}"#,
                #"{"type": "track", "userId": "u-3", "event": "Big", "properties": {"blob": "\#(long)"}}"#,
                #"{"type": "track", "messageId": "fixed-1", "userId": "u-3", "event": "Refunded"}"#,
            ]
            let file = lines.joined(separator: "\n")
            try await client.execute(uri: "/v1/import", method: .post, headers: fixture.headers([.contentType: "application/x-ndjson"]), body: body(file)) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                let json = try jsonBody(response)
                #expect(json["rows"] == .number(6))
                #expect(json["stored"] == .number(3))
                #expect(json["refused"] == .number(3))
                let refused = json["refusedRows"]?.arrayValue ?? []
                #expect(refused.map { $0["line"] } == [.number(3), .number(5), .number(6)])
                #expect(refused.map { $0["code"] } == [.string("invalid_json"), .string("missing_event"), .string("message_too_large")])
            }
            // Historical time is kept as given; a second run of the same file stores nothing again.
            let events = try await fixture.storedEvents()
            let order = try #require(events.values.first { $0["event"] == .string("Order Completed") })
            #expect(order["timestamp"] == .string("2024-03-01T10:00:00.000Z"))
            try await client.execute(uri: "/v1/import", method: .post, headers: fixture.headers(), body: body(file)) { response in
                let json = try jsonBody(response)
                #expect(json["stored"] == .number(0))
                #expect(json["duplicates"] == .number(3))
            }
            #expect(try await fixture.count("events") == 3)
        }
    }

    @Test func anNDJSONLineWithInvalidUTF8IsRefusedNotAltered() async throws {
        try await IngestionFixture.run { fixture, client in
            var file = Array(#"{"type": "track", "userId": "u-1", "event": "Caf"#.utf8)
            file += [0xC3, 0x28]  // a broken two-byte sequence, which decoding would turn into U+FFFD
            file += Array(#""}"#.utf8) + [0x0A] + Array(#"{"type": "track", "userId": "u-2", "event": "Fine"}"#.utf8)
            try await client.execute(uri: "/v1/import", method: .post, headers: fixture.headers(), body: ByteBuffer(bytes: file)) { response in
                let json = try jsonBody(response)
                #expect(json["stored"] == .number(1))
                #expect(json["refusedRows"]?.arrayValue?.map { $0["code"] } == [.string("invalid_json")])
            }
            #expect(try await fixture.storedEvents().values.map { $0["event"] } == [.string("Fine")])
        }
    }

    @Test func csvImportMapsColumnsAndRefusesBadRows() async throws {
        try await IngestionFixture.run { fixture, client in
            let csv = """
            order_id,customer,email,placed_at,total,note\r
            A-1,c-1,one@example.com,2024-01-02T03:04:05Z,120.50,"first, with comma"\r
            A-2,c-2,two@example.com,2024-01-03T03:04:05Z,80\r
            A-3,,three@example.com,2024-01-04T03:04:05Z,99,none\r
            A-4,c-4,four@example.com,not-a-date,10,x\r
            A-5,c-5,five@example.com,2024-01-05T03:04:05Z,55,"multi
            line"\r

            """
            let query = "format=csv&type=track&event=Order%20Completed&user_id_column=customer&email_column=email&timestamp_column=placed_at&number_columns=total"
            try await client.execute(uri: "/v1/import?\(query)", method: .post, headers: fixture.headers([.contentType: "text/csv"]), body: body(csv)) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                let json = try jsonBody(response)
                #expect(json["rows"] == .number(5))
                #expect(json["stored"] == .number(3))
                let codes = json["refusedRows"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
                #expect(codes == ["csv_column_count", "invalid_field"], "\(json)")
            }
            let events = try await fixture.storedEvents()
            let first = try #require(events.values.first { $0["userId"] == .string("c-1") })
            #expect(first["event"] == .string("Order Completed"))
            #expect(first["properties"]?["total"] == .number(120.5))
            #expect(first["properties"]?["note"] == .string("first, with comma"))
            #expect(first["context"]?["traits"]?["email"] == .string("one@example.com"))
            let last = try #require(events.values.first { $0["userId"] == .string("c-5") })
            #expect(last["properties"]?["note"] == .string("multi\nline"))
            #expect(!(try await fixture.storedText()).contains("one@example.com"))
            // The row without a customer id is keyed by its e-mail.
            let third = try #require(events.values.first { $0["context"]?["traits"]?["email"] == .string("three@example.com") })
            #expect(third["userId"] == nil)
            #expect(third["anonymousId"]?.stringValue?.hasPrefix("import-") == true)
            #expect(try await fixture.failedCodes().count == 2)

            try await client.execute(uri: "/v1/import?format=csv&user_id_column=nope&event=X", method: .post, headers: fixture.headers(), body: body(csv)) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains(#""code":"import_unknown_column""#))
            }
        }
    }

    @Test func csvRowsKeyedOnlyByPhoneOrEmailShareOneDerivedAnonymousIdPerPerson() async throws {
        try await IngestionFixture.run { fixture, client in
            let csv = """
            receipt,phone,email,total
            R-1,+66 81-234-5678,,120
            R-2,+66812345678,,80
            R-3,+66 89 999 0000,,99
            R-4,,Ann@Example.com ,10
            R-5,,ann@example.com,20
            R-6,+66 (81) 234 5678,bob@example.com,30
            R-7,,,5

            """
            let query = "format=csv&event=Order%20Completed&phone_column=phone&email_column=email&message_id_column=receipt&number_columns=total"
            try await client.execute(uri: "/v1/import?\(query)", method: .post, headers: fixture.headers([.contentType: "text/csv"]), body: body(csv)) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                let json = try jsonBody(response)
                #expect(json["rows"] == .number(7))
                #expect(json["stored"] == .number(6))
                let refused = json["refusedRows"]?.arrayValue ?? []
                #expect(refused.map { $0["line"] } == [.number(8)])
                #expect(refused.map { $0["code"] } == [.string("missing_identifier")])
            }
            let events = try await fixture.storedEvents()
            func anonymousId(_ receipt: String) -> String? { events[receipt]?["anonymousId"]?.stringValue }
            // Computed here with the workspace's own blind index over the normalised value: keyed, not a plain hash.
            func expected(_ type: String, _ value: String) -> String {
                "import-" + fixture.keys.blindIndex.token(type: type, normalizedValue: value).prefix(16).hexString
            }
            let phone = expected("import-phone", "66812345678")
            let email = expected("import-email", "ann@example.com")
            #expect(anonymousId("R-1") == phone)
            #expect(anonymousId("R-2") == phone)
            #expect(anonymousId("R-6") == phone, "the phone keys the row when it has both")
            #expect(anonymousId("R-4") == email)
            #expect(anonymousId("R-5") == email)
            let other = try #require(anonymousId("R-3"))
            #expect(other != phone && other != email && phone != email)
            for receipt in ["R-1", "R-2", "R-3", "R-4", "R-5", "R-6"] {
                let id = try #require(anonymousId(receipt))
                #expect(events[receipt]?["userId"] == nil)
                for clear in ["66812345678", "812345678", "66899990000", "9990000", "ann", "bob"] {
                    #expect(!id.contains(clear), "\(receipt)'s anonymous id \(id) contains \(clear)")
                }
            }
            #expect(events["R-1"]?["context"]?["traits"]?["phone"] == .string("+66 81-234-5678"))
            #expect(events["R-6"]?["context"]?["traits"]?["email"] == .string("bob@example.com"))

            // The phone is sealed at rest like the e-mail, and so is the id derived from it.
            let atRest = try await fixture.storedText()
            #expect(atRest.contains("Order Completed"), "the rows were read")
            for clear in ["234-5678", "+66812345678", "999 0000", "nn@example.com", "bob@example.com", phone, email] {
                #expect(!atRest.contains(clear), "\(clear) is in clear at rest")
            }
            let sealedPhones = try await fixture.database.query(
                """
                SELECT count(*)::int FROM events
                WHERE workspace_id = \(fixture.workspace.id) AND message->'context'->'traits'->'phone' ? '$sealed'
                """,
                logger: TestDatabase.logger
            ).decode(Int.self).first(where: { _ in true })
            #expect(sealedPhones == 4)
        }
    }
}
