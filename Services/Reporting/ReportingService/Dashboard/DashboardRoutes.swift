import Foundation
import HTTPTypes
import Hummingbird
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import KinshipService
import PostgresNIO

/// `/dashboard`: the pages a marketer opens, signed in with an API key into a session cookie. Pages use the
/// reports' own queries. Forms carry a CSRF token; cookies are `HttpOnly`, `SameSite=Strict`, and `Secure`
/// when the request came over TLS (as a proxy in front says with `X-Forwarded-Proto: https`).
struct DashboardRoutes: Sendable {
    let access: APIKeyAuthenticator
    let sessions: DashboardSessions
    let pages: DashboardPages
    let database: PostgresClient
    /// Opens sealed values a report groups by (`ReportRoutes.ReportScope`).
    let keyring: MasterKeyring
    let profiles: ProfileReader
    let segments: SegmentReader

    static let sessionCookie = "kinship_session"
    /// Before sign-in, the form's CSRF token is also a cookie the form must match (double submit).
    static let signInCookie = "kinship_sign_in"

    func add(to router: Router<KinshipRequestContext>) {
        let routes = router.group("dashboard")
        routes.get(use: htmlErrors { request, context in try await overview(request, context) })
        routes.get("style.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(bytes: pages.stylesheet)))
        }
        routes.get("segment-editor.js") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(bytes: pages.editorScript)))
        }
        routes.get("sign-in", use: htmlErrors { request, _ in signInPage(request, failed: false) })
        routes.post("sign-in", use: htmlErrors { request, context in try await signIn(request, context) })
        routes.post("sign-out", use: htmlErrors { request, context in try await signOut(request, context) })
        addReports(to: routes)
        addPeople(to: routes)
        addSegments(to: routes)
    }

    /// A handler whose refusals (a `KinshipError`: 4xx, or 503 when the database or a service is down) are
    /// answered as a page in the reader's language, with the same status and headers: the API's JSON error
    /// shape is for programs. Other errors stay the server's 500.
    func htmlErrors(
        _ handler: @escaping @Sendable (Request, KinshipRequestContext) async throws -> Response
    ) -> @Sendable (Request, KinshipRequestContext) async throws -> Response {
        { request, context in
            do {
                return try await handler(request, context)
            } catch let error as KinshipError where request.headers[.accept]?.contains("application/json") != true {
                // The editor's script asks for JSON, and reads the API's error shape.
                let language = DashboardStrings.language(for: request)
                let labels = DashboardStrings.tables[language] ?? [:]
                let title = labels["error.\(error.status.code)"] ?? labels["error"] ?? "error"
                return pages.page(
                    "error", heading: title, language: language, session: nil,
                    values: ["message": error.message, "code": error.code.rawValue], status: error.status, headers: error.headers
                )
            }
        }
    }

    /// The request's live session, nil when it has none (the page then sends it to sign in).
    func session(of request: Request) async throws -> DashboardSessions.Session? {
        guard let token = Self.cookie(Self.sessionCookie, in: request) else { return nil }
        return try await sessions.find(token)
    }

    /// A signed-in form post: its session and fields once the form's CSRF token matched the session's (else
    /// `403`); nil without a session.
    func submission(_ request: Request) async throws -> (DashboardSessions.Session, [String: String])? {
        guard let session = try await session(of: request) else { return nil }
        var request = request
        let fields = Self.form(try await request.operatorBody())
        guard fields["csrf"] == session.csrfToken else { throw Self.forged }
        return (session, fields)
    }

    static let toSignIn = Response(status: .seeOther, headers: [.location: "/dashboard/sign-in"])

    /// The date-range picker's values: the period asked for, its last day inclusive as people write it.
    static func periodValues(_ request: Request) throws -> [String: Any] {
        let (from, to) = try PeriodParameters.period(request)
        return ["from": String(Timestamp.format(from).prefix(10)), "to": String(Timestamp.format(to.addingTimeInterval(-1)).prefix(10))]
    }

    private func signInPage(_ request: Request, failed: Bool) -> Response {
        let token = SecretToken.generate(prefix: "kc_")
        return pages.page(
            "sign-in", heading: "sign-in", language: DashboardStrings.language(for: request), session: nil, csrf: token,
            values: ["failed": failed], status: failed ? .unauthorized : .ok,
            headers: [.setCookie: Self.cookie(Self.signInCookie, token, maxAge: 3600, request)]
        )
    }

    private func signIn(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        var request = request
        let form = Self.form(try await request.operatorBody())
        guard let expected = Self.cookie(Self.signInCookie, in: request), form["csrf"] == expected else { throw Self.forged }
        let key: APIKey
        do {
            key = try await access.authenticate(secret: form["api_key"] ?? "", from: ClientAddress.rateLimitKey(context.remoteAddress), requiring: .viewer)
        } catch let error as KinshipError where error.code == .invalidAPIKey {
            return signInPage(request, failed: true)
        }
        let token = try await sessions.open(for: key)
        let language = DashboardStrings.language(for: request).rawValue
        var headers: HTTPFields = [.location: "/dashboard?lang=\(language)"]
        headers.append(HTTPField(name: .setCookie, value: Self.cookie(Self.sessionCookie, token, maxAge: Int(DashboardSessions.lifetime), request)))
        headers.append(HTTPField(name: .setCookie, value: Self.cookie(Self.signInCookie, "", maxAge: 0, request)))
        return Response(status: .seeOther, headers: headers)
    }

    private func signOut(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        var request = request
        let form = Self.form(try await request.operatorBody())
        if let token = Self.cookie(Self.sessionCookie, in: request), let session = try await sessions.find(token) {
            guard form["csrf"] == session.csrfToken else { throw Self.forged }
            try await sessions.close(token)
        }
        return Response(status: .seeOther, headers: [
            .location: "/dashboard/sign-in", .setCookie: Self.cookie(Self.sessionCookie, "", maxAge: 0, request),
        ])
    }

    /// `GET /dashboard?from=&to=`: the period's KPIs against the period before.
    private func overview(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        guard let session = try await session(of: request) else { return Self.toSignIn }
        let language = DashboardStrings.language(for: request)
        let (from, to) = try PeriodParameters.period(request)
        let report = try await OverviewReport.run(
            ReportPeriod(from: from, to: to), daily: true, workspaceID: session.key.workspaceID, using: database, logger: context.logger
        )
        let labels = DashboardStrings.tables[language] ?? [:]
        return pages.page(
            "overview", heading: labels["overview"] ?? "", language: language, session: session,
            values: try Self.periodValues(request).merging([
                "kpis": OverviewCards.cards(report, labels: labels), "revenueChart": OverviewCards.revenueChart(report, labels: labels),
            ]) { _, new in new }
        )
    }

    static let forged = KinshipError(code: .forbidden, status: .forbidden, message: "The form's CSRF token does not match: reload the page and try again.")

    /// A `Set-Cookie` value: scoped to the dashboard, out of scripts' reach, never sent by another site.
    static func cookie(_ name: String, _ value: String, maxAge: Int, _ request: Request) -> String {
        let secure = request.headers[.xForwardedProto]?.lowercased() == "https" ? "; Secure" : ""
        return "\(name)=\(value); Path=/dashboard; Max-Age=\(maxAge); HttpOnly; SameSite=Strict\(secure)"
    }

    static func cookie(_ name: String, in request: Request) -> String? {
        request.cookies[name]?.value
    }

    /// An `application/x-www-form-urlencoded` body's fields.
    static func form(_ body: Data) -> [String: String] {
        var components = URLComponents()
        components.percentEncodedQuery = String(decoding: body, as: UTF8.self).replacingOccurrences(of: "+", with: "%20")
        var fields: [String: String] = [:]
        for item in components.queryItems ?? [] { fields[item.name] = item.value ?? "" }
        return fields
    }
}

extension HTTPField.Name {
    static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
}
