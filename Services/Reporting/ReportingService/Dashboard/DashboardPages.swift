import Foundation
import HTTPTypes
import Hummingbird
import KinshipCore
import KinshipDatabase
import Mustache

/// The dashboard's HTML: Mustache templates shipped in the service's resources, each page rendered into
/// the layout, with the headers every page carries.
struct DashboardPages: Sendable {
    let library: MustacheLibrary
    let stylesheet: Data
    /// The segment editor's live preview: the dashboard's one script, served from here like the stylesheet.
    let editorScript: Data

    /// `Resources/Dashboard` in this build: templates, stylesheet, script and strings.
    static var folder: URL? { Bundle.module.url(forResource: "Dashboard", withExtension: nil) }

    /// The templates and stylesheet from `Resources/Dashboard`; a build without them cannot serve pages.
    static func load() throws -> DashboardPages {
        guard let folder else {
            throw KinshipError(code: .internalError, status: .internalServerError, message: "The dashboard's templates are missing from this build.")
        }
        guard DashboardStrings.tables.count == DashboardStrings.Language.allCases.count else {
            throw KinshipError(code: .internalError, status: .internalServerError, message: "The dashboard's strings are missing from this build.")
        }
        var library = MustacheLibrary()
        for name in ["layout", "sign-in", "overview", "report", "people", "person", "segments", "segment", "segment-editor", "error"] {
            let text = try String(contentsOf: folder.appendingPathComponent("\(name).mustache"), encoding: .utf8)
            try library.register(text, named: name)
        }
        return DashboardPages(
            library: library, stylesheet: try Data(contentsOf: folder.appendingPathComponent("style.css")),
            editorScript: try Data(contentsOf: folder.appendingPathComponent("segment-editor.js"))
        )
    }

    /// Every page's links: the overview, each report, and people for the roles that may see them.
    static func menu(_ labels: [String: String], role: APIRole?) -> [[String: String]] {
        var items = [["href": "/dashboard", "label": labels["overview"] ?? "overview"]]
        items += DashboardRoutes.reportPages.map { ["href": "/dashboard/reports/\($0.name)", "label": labels["report.\($0.name)"] ?? $0.name] }
        items.append(["href": "/dashboard/segments", "label": labels["segments"] ?? "segments"])
        if role?.includes(.analyst) == true { items.append(["href": "/dashboard/people", "label": labels["people"] ?? "people"]) }
        return items
    }

    /// No script, style or form target from elsewhere; no framing. No page has an inline script; the pages
    /// that load the dashboard's own script (`scripts`) may run it and let it call the dashboard back.
    static let contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    static let scriptPolicy = "; script-src 'self'; connect-src 'self'"

    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy: contentSecurityPolicy,
        .xContentTypeOptions: "nosniff",
        .referrerPolicy: "no-referrer",
        .cacheControl: "no-store",
    ]

    /// `template` rendered with `values` inside the layout, as a response.
    func page(
        _ template: String, heading: String, language: DashboardStrings.Language, session: DashboardSessions.Session?, csrf: String? = nil,
        values: [String: Any] = [:], status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:], scripts: [String] = []
    ) -> Response {
        var context = values
        let labels = DashboardStrings.tables[language] ?? [:]
        context["t"] = labels
        context["menu"] = Self.menu(labels, role: session?.key.role)
        context["lang"] = language.rawValue
        context["csrf"] = csrf ?? session?.csrfToken ?? ""
        context["signedIn"] = session != nil
        context["heading"] = heading
        context["scripts"] = scripts
        context["content"] = library.render(context, withTemplate: template) ?? ""
        let html = library.render(context, withTemplate: "layout") ?? ""
        var headers = Self.securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        if !scripts.isEmpty { headers[.contentSecurityPolicy] = Self.contentSecurityPolicy + Self.scriptPolicy }
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
