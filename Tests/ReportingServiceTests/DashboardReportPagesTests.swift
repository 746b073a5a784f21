import Foundation
import HTTPTypes
import HummingbirdTesting
import KinshipCore
import KinshipDatabase
import KinshipService
import KinshipTestSupport
import PostgresNIO
import Testing
@testable import ReportingService

/// The dashboard's report pages: every report as charts and a table, its CSV, and the API's rules.
struct DashboardReportPagesTests {
    @Test func everyReportHasAPageAndACSVAndBreakdownsNeedAnAnalyst() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ProfileEventsRouteTests.Shop(database)
            // A property value that is markup: it reaches a chart's labels and must stay text.
            let hostile = #"<img src=x onerror=alert(1)>"#
            try await shop.addOrder(database, orderID: hostile)
            let sessions = DashboardSessions(database: database, logger: TestDatabase.logger)
            let keys = try await shop.tenancy.apiKeys(in: shop.workspace).map(\.key)
            let viewer = try await sessions.open(for: try #require(keys.first { $0.role == .viewer }))
            let analyst = try await sessions.open(for: try #require(keys.first { $0.role == .analyst }))
            let app = try ReportingApplication.build(ServiceRuntime(configuration: TestKeys.configuration(.reporting)))
            try await app.test(.router) { client in
                let period = "from=2026-05-01&to=2026-06-30&lang=en"
                #expect(try await DashboardTests.send(client, .get, "/dashboard/reports/funnel?\(period)").status == .seeOther, "signed out")
                let asViewer = [DashboardRoutes.sessionCookie: viewer]
                for page in DashboardRoutes.reportPages {
                    let answer = try await DashboardTests.send(client, .get, "/dashboard/reports/\(page.name)?\(period)", cookies: asViewer)
                    #expect(answer.status == .ok, "\(page.name): \(answer.body.prefix(300))")
                    #expect(answer.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                    #expect(!answer.body.contains("<script"), "\(page.name) has no script")
                    #expect(answer.body.contains("<table") || answer.body.contains("Nothing in this period."), "\(page.name) shows its numbers")
                    #expect(answer.body.contains(#"href="/dashboard/reports/\#(page.name)/csv?"#), "\(page.name) links its CSV")
                    let csv = try await DashboardTests.send(client, .get, "/dashboard/reports/\(page.name)/csv?\(period)", cookies: asViewer)
                    #expect(csv.status == .ok && csv.headers[.contentType]?.hasPrefix("text/csv") == true, "\(page.name) CSV")
                }

                // The funnel's default steps end in the shop's four orders, drawn as bars and counted in the table.
                let funnel = try await DashboardTests.send(client, .get, "/dashboard/reports/funnel?\(period)", cookies: asViewer)
                #expect(funnel.body.contains("<svg") && funnel.body.contains("Profiles at each step"))
                #expect(funnel.body.contains("<td class=\"\">Order Completed</td>"))
                let overviewCSV = try await DashboardTests.send(client, .get, "/dashboard/reports/overview/csv?\(period)", cookies: asViewer)
                #expect(overviewCSV.body.contains("orders,4,"), "the overview's table counts the four orders: \(overviewCSV.body)")

                // A breakdown can single people out: refused to a viewer, drawn (escaped) for an analyst.
                let split = "/dashboard/reports/trends?\(period)&event=Order%20Completed&interval=month&breakdown=order_id"
                #expect(try await DashboardTests.send(client, .get, split, cookies: asViewer).status == .forbidden)
                let trends = try await DashboardTests.send(client, .get, split, cookies: [DashboardRoutes.sessionCookie: analyst])
                #expect(trends.status == .ok)
                #expect(trends.body.contains("&lt;img src=x onerror=alert(1)&gt;"), "the value is shown as text")
                #expect(!trends.body.contains(hostile), "and never as markup")

                let missing = try await DashboardTests.send(client, .get, "/dashboard/reports/nothing?\(period)", cookies: asViewer)
                #expect(missing.status == .notFound && missing.body.contains("<h1>Not found</h1>"), "refusals are pages: \(missing.body.prefix(200))")
                #expect(missing.headers[.contentType]?.hasPrefix("text/html") == true)
                let thai = try await DashboardTests.send(client, .get, "/dashboard/reports/rfm?lang=th", cookies: asViewer)
                #expect(thai.body.contains("ตัวเลข"), "labels in Thai")
            }
        }
    }

    @Test func chartsEscapeTheirTextAndScaleTheirBars() {
        let svg = SVGChart.bars([
            .init(label: "a<b>&\"c\"", value: 10, text: "10"), .init(label: "half", value: 5, text: "5"),
        ], title: "t<")
        #expect(svg.contains("a&lt;b&gt;&amp;&quot;c&quot;") && svg.contains("t&lt;"))
        #expect(!svg.contains("a<b>"))
        #expect(svg.contains(#"width="300.0""#) && svg.contains(#"width="150.0""#), "bars in proportion to the largest")
        #expect(SVGChart.bars([], title: "none").isEmpty)
        let line = SVGChart.line([.init(label: "1", value: 1), .init(label: "2", value: nil), .init(label: "3", value: 3), .init(label: "4", value: 2)], title: "l")
        #expect(line.components(separatedBy: "<polyline").count == 3, "a missing value breaks the line")
        #expect(SVGChart.blue(0) == "#e8f0fe" && SVGChart.blue(1) == "#1d4ed8")
    }
}

extension ProfileEventsRouteTests.Shop {
    /// One more `Order Completed` for the shop's profile, an hour after its first, with this order id.
    func addOrder(_ database: PostgresClient, orderID: String) async throws {
        let time = Date(timeIntervalSince1970: 1_780_000_000 + 3600)
        let messageId = "m-extra-\(UUID().uuidString.prefix(8))"
        let source = try await tenancy.createSource(in: workspace, name: "extra-\(messageId)", actor: "test").owner.id
        let message: JSONValue = .object([
            "type": .string("track"), "event": .string("Order Completed"), "messageId": .string(messageId),
            "properties": .object(["order_id": .string(orderID)]),
        ])
        try await database.query(
            """
            INSERT INTO events (workspace_id, received_at, message_id, source_id, type, event, event_time, message)
            VALUES (\(workspace.id), \(time), \(messageId), \(source), 'track', 'Order Completed', \(time), \(message.serialized())::jsonb)
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
        let workspaceID = workspace.id
        _ = try await database.withConnection { try await ReportRollupWriter(logger: TestDatabase.logger).rollAll(in: workspaceID, on: $0) }
    }
}

/// Every label a template asks for exists in every language, and the languages name the same labels.
struct DashboardStringsTests {
    @Test func everyLanguageHasEveryLabelTheTemplatesUse() throws {
        let english = try #require(DashboardStrings.tables[.english])
        let thai = try #require(DashboardStrings.tables[.thai])
        #expect(Set(english.keys) == Set(thai.keys), "only in one: \(Set(english.keys).symmetricDifference(thai.keys).sorted())")
        let templates = try #require(DashboardPages.folder)
        var used: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(atPath: templates.path) where file.hasSuffix(".mustache") {
            let text = try String(contentsOf: templates.appendingPathComponent(file), encoding: .utf8)
            let pattern = /\{\{t\.([A-Za-z0-9_.-]+)\}\}/
            for match in text.matches(of: pattern) { used.insert(String(match.1)) }
        }
        #expect(used.count > 30)
        #expect(used.subtracting(english.keys).isEmpty, "missing: \(used.subtracting(english.keys).sorted())")
    }
}
