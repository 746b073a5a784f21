import Foundation
import Hummingbird
import KinshipCore
import KinshipService

/// `/dashboard/reports/{name}`: each report of the API as a page (its charts, then its table) and as CSV
/// (`/dashboard/reports/{name}/csv`), run by the API's own runners with the page's parameters.
extension DashboardRoutes {
    /// The reports the dashboard lists, in its menu's order; each takes these parameters from its form.
    static let reportPages: [(name: String, parameters: [String])] = [
        ("funnel", ["steps", "window", "breakdown"]),
        ("retention", ["interval", "cohort_event", "return_event"]),
        ("rfm", []),
        ("nps", ["interval"]),
        ("email", []),
        ("channels", []),
        ("cart-abandonment", []),
        ("support", []),
        ("demographics", []),
        ("trends", ["event", "interval", "breakdown"]),
        ("data-map", []),
    ]

    /// What a form field starts with when the address does not say (the funnel the documents describe).
    static let parameterDefaults: [String: String] = [
        "steps": "Product Viewed,Product Added,Checkout Started,Order Completed", "window": "7d",
    ]

    func addReports(to routes: RouterGroup<KinshipRequestContext>) {
        routes.get("reports/:name", use: htmlErrors { request, context in try await reportPage(request, context) })
        routes.get("reports/:name/csv", use: htmlErrors { request, context in try await reportCSV(request, context) })
    }

    private func reportPage(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        guard let session = try await session(of: request) else { return Self.toSignIn }
        let (name, parameters) = try Self.reportPage(context)
        let request = Self.withDefaults(request, parameters)
        let answer = try await run(name, request, session, context)
        let language = DashboardStrings.language(for: request)
        let labels = DashboardStrings.tables[language] ?? [:]
        let query = request.uri.queryParameters
        let table = answer.table
        let fields = parameters.map { parameter in
            ["name": parameter, "label": labels["parameter.\(parameter)"] ?? parameter, "value": query.get(parameter) ?? ""]
        }
        var csvQuery = parameters.compactMap { parameter in query.get(parameter).map { (parameter, $0) } }
        csvQuery.append(contentsOf: [("from", query.get("from") ?? ""), ("to", query.get("to") ?? "")].filter { !$0.1.isEmpty })
        return pages.page(
            "report", heading: labels["report.\(name)"] ?? name, language: language, session: session,
            values: try Self.periodValues(request).merging([
                "name": name, "fields": fields, "hasFields": !fields.isEmpty,
                "charts": ReportCharts.charts(for: answer, labels: labels).filter { !$0.isEmpty },
                "columns": table.columns.map { labels["column.\($0)"] ?? $0 },
                "rows": ReportTableCells.rows(table, of: answer).map { ["cells": $0] },
                "empty": table.rows.isEmpty,
                "csv": "/dashboard/reports/\(name)/csv?" + Self.queryString(csvQuery),
            ]) { _, new in new }
        )
    }

    private func reportCSV(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        guard let session = try await session(of: request) else { return Self.toSignIn }
        // Any report of the API: the overview has a page of its own, and its table here.
        let name = context.parameters.get("name") ?? ""
        let parameters = Self.reportPages.first { $0.name == name }?.parameters ?? []
        let answer = try await run(name, Self.withDefaults(request, parameters), session, context)
        return try CSVResponse.make(answer.table, filename: "\(name).csv")
    }

    /// The API's answer for `name`, with the dashboard's session's key.
    private func run(_ name: String, _ request: Request, _ session: DashboardSessions.Session, _ context: KinshipRequestContext) async throws -> any Report {
        try await ReportRoutes.answer(name, request, key: session.key, database: database, keyring: keyring, logger: context.logger)
    }

    private static func reportPage(_ context: KinshipRequestContext) throws -> (String, [String]) {
        guard let name = context.parameters.get("name"), let page = reportPages.first(where: { $0.name == name }) else {
            throw KinshipError.notFound("No such report.")
        }
        return (page.name, page.parameters)
    }

    /// The request with the form's defaults filled in and its empty fields left out, as the API reads them.
    static func withDefaults(_ request: Request, _ parameters: [String]) -> Request {
        var items: [(String, String)] = []
        let query = request.uri.queryParameters
        for (name, value) in query where !value.isEmpty { items.append((String(name), String(value))) }
        for parameter in parameters where (query.get(parameter) ?? "").isEmpty {
            if let value = parameterDefaults[parameter] { items.append((parameter, value)) }
        }
        var head = request.head
        head.path = request.uri.path + "?" + queryString(items)
        return Request(head: head, body: request.body)
    }

    static func queryString(_ items: [(String, String)]) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+;")
        return items.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
    }
}

/// A report's table as the page shows it: rates as percentages, and retention's rates shaded (`heat-0` to
/// `heat-9` in the stylesheet; the page's policy allows no inline style).
enum ReportTableCells {
    static func rows(_ table: ReportTable, of answer: any Report) -> [[[String: String]]] {
        let rateColumns = Set(table.columns.indices.filter { index in
            let column = table.columns[index]
            return column.hasSuffix("Rate") || column.hasPrefix("conversionFrom") || (answer is RetentionReportView && column.hasPrefix("interval"))
        })
        let shaded = answer is RetentionReportView
        return table.rows.map { row in
            row.indices.map { index in
                let text = row[index]
                guard rateColumns.contains(index), let rate = Double(text) else { return ["text": text, "class": ""] }
                let shade = shaded ? "heat-\(min(max(Int(rate * 10), 0), 9))" : ""
                return ["text": OverviewCards.Kind.rate.text(rate), "class": shade]
            }
        }
    }
}
