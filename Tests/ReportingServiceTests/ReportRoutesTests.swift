import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KinshipCore
import KinshipService
import KinshipTestSupport
import Testing
@testable import ReportingService

/// `/v1/reports/{name}` over HTTP: roles, parameters and CSV.
struct ReportRoutesTests {
    @Test func viewersReadReportsButNotBreakdownsAndBadParametersAreRefused() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ProfileEventsRouteTests.Shop(database)
            let app = try ReportingApplication.build(ServiceRuntime(configuration: TestKeys.configuration(.reporting)))
            try await app.test(.router) { client in
                let viewer = try #require(shop.keys[.viewer])
                let period = "from=2026-05-01&to=2026-06-30"
                #expect(try await ProfileEventsRouteTests.get(client, "/v1/reports/overview?\(period)", key: viewer).0 == .ok)
                let (status, body) = try await ProfileEventsRouteTests.get(client, "/v1/reports/trends?\(period)&breakdown=customer_id", key: viewer)
                #expect(status == .forbidden)
                #expect(ProfileEventsRouteTests.errorCode(body) == "forbidden")
                #expect(try await ProfileEventsRouteTests.get(client, "/v1/reports/trends?\(period)&breakdown=plan", key: shop.keys[.analyst]).0 == .ok)
                for bad in ["overview?from=yesterday", "overview?from=2026-06-30&to=2026-05-01", "nps?interval=year", "funnel?steps=A,B&window=-1d",
                            "overview?format=xml", "demographics?traits="] {
                    let (refused, refusal) = try await ProfileEventsRouteTests.get(client, "/v1/reports/\(bad)", key: viewer)
                    #expect(refused == .badRequest, "\(bad)")
                    #expect(ProfileEventsRouteTests.errorCode(refusal) == "invalid_parameter", "\(bad)")
                }
                #expect(try await ProfileEventsRouteTests.get(client, "/v1/reports/nothing", key: viewer).0 == .notFound)
                let forged = Data(#"{"time": "not a time", "received": "x", "messageId": "m"}"#.utf8).base64String
                let events = "/v1/profiles/\(shop.profile.lowercased)/events?cursor=\(forged.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
                #expect(try await ProfileEventsRouteTests.get(client, events, key: shop.keys[.admin]).0 == .badRequest)
            }
        }
    }

    @Test func csvCellsThatASpreadsheetWouldRunAreWrittenAsText() throws {
        #expect(CSVResponse.neutralised("=HYPERLINK(\"http://evil\")") == "'=HYPERLINK(\"http://evil\")")
        #expect(CSVResponse.neutralised("@SUM(A1)") == "'@SUM(A1)")
        #expect(CSVResponse.neutralised("+66 81 234 5678") == "'+66 81 234 5678")
        #expect(CSVResponse.neutralised("-12.5") == "-12.5", "a negative number stays a number")
        #expect(CSVResponse.neutralised("สมชาย") == "สมชาย")
    }
}
