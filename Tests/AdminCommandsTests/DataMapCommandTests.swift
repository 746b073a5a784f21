import Foundation
import KinshipCore
import KinshipPrivacy
import Testing
@testable import AdminCommands

/// `kinship datamap`: its options, the request it makes, and the reporting API's answer as a table.
struct DataMapCommandTests {
    @Test func datamapTakesAPeriodAFormatAndTheAPIAccessOptions() throws {
        let plain = try #require(try KinshipCommand.parseAsRoot(["datamap"]) as? DataMapCommand)
        #expect(plain.from == nil && plain.to == nil && plain.format == .table && plain.api.apiKey == nil)
        let asked = try #require(try KinshipCommand.parseAsRoot([
            "datamap", "--from", "2026-05-01", "--to", "2026-05-31", "--format", "json", "--reporting-url", "http://reporting:8083", "--api-key", "kk_x",
        ]) as? DataMapCommand)
        #expect(asked.from == "2026-05-01" && asked.to == "2026-05-31" && asked.format == .json)
        #expect(asked.api.reportingURL == "http://reporting:8083" && asked.api.apiKey == "kk_x")
        #expect(throws: (any Error).self) { try KinshipCommand.parseAsRoot(["datamap", "--format", "csv"]) }
    }

    @Test func thePeriodIsSentAsTheReportsQueryWithAPlusKeptAPlus() {
        #expect(DataMapCommand.path(from: nil, to: nil) == "/v1/reports/data-map")
        #expect(DataMapCommand.path(from: "2026-05-01", to: nil) == "/v1/reports/data-map?from=2026-05-01")
        #expect(DataMapCommand.path(from: "2026-05-01T00:00:00+07:00", to: "2026-06-01")
            == "/v1/reports/data-map?from=2026-05-01T00:00:00%2B07:00&to=2026-06-01")
    }

    /// An answer as `GET /v1/reports/data-map` gives it (docs/reporting.md#data-map), written out by hand.
    static let answer = """
        {"from": "2026-05-01T00:00:00.000Z", "to": "2026-05-31T00:00:00.000Z", "truncated": false, "keys": [
          {"place": "traits", "key": "email", "kind": "identity", "sensitivity": "personal", "values": 40, "encrypted": 40,
           "personalLookingInClear": 0, "firstSeen": "2026-05-01T08:00:00.000Z", "lastSeen": "2026-05-30T09:15:00.000Z",
           "protection": "encrypted", "exposed": false, "consentCategories": ["necessary"]},
          {"place": "properties", "key": "contact_info", "kind": "engagement", "sensitivity": "personal", "values": 8, "encrypted": 3,
           "personalLookingInClear": 5, "firstSeen": "2026-05-02T10:00:00.000Z", "lastSeen": "2026-05-03T11:00:00.000Z",
           "protection": "partly encrypted", "exposed": true, "consentCategories": ["analytics", "marketing"]},
          {"place": "properties", "key": "total", "kind": "behavioral", "sensitivity": "none", "values": 125, "encrypted": 0,
           "personalLookingInClear": 0, "firstSeen": "2026-05-01T08:05:00.000Z", "lastSeen": "2026-05-30T23:59:00.000Z",
           "protection": "clear", "exposed": false, "consentCategories": ["analytics"]}
        ]}
        """

    @Test func theAnswerIsPrintedAsATableWithTheEncryptedShareAndWhatIsExposed() throws {
        let report = try JSONCoding.decode(DataMapReportView.self, from: Data(Self.answer.utf8))
        #expect(DataMapText(report).rendered == """
            data map 2026-05-01T00:00:00.000Z to 2026-05-31T00:00:00.000Z: 3 key(s), 1 exposed (personal or sensitive, not all encrypted)

            WHERE       KEY           KIND        SENSITIVITY  VALUES  ENCRYPTED  PROTECTION        EXPOSED  LOOKS PERSONAL  FIRST SEEN                LAST SEEN                 CONSENT
            traits      email         identity    personal         40  40 (100%)  encrypted         no                    0  2026-05-01T08:00:00.000Z  2026-05-30T09:15:00.000Z  necessary
            properties  contact_info  engagement  personal          8    3 (37%)  partly encrypted  yes                   5  2026-05-02T10:00:00.000Z  2026-05-03T11:00:00.000Z  analytics marketing
            properties  total         behavioral  none            125     0 (0%)  clear             no                    0  2026-05-01T08:05:00.000Z  2026-05-30T23:59:00.000Z  analytics
            """)
    }

    @Test func anEmptyOrCutMapSaysSo() {
        let empty = DataMapReportView(from: Date(timeIntervalSince1970: 0), to: Date(timeIntervalSince1970: 86_400), keys: [], truncated: true)
        #expect(DataMapText(empty).rendered == """
            data map 1970-01-01T00:00:00.000Z to 1970-01-02T00:00:00.000Z: 0 key(s), 0 exposed (personal or sensitive, not all encrypted)
            more keys were seen; the least used are left out
            """)
    }
}
