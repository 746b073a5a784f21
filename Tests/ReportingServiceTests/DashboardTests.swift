import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KinshipCore
import KinshipDatabase
import KinshipService
import KinshipTestSupport
import NIOCore
import Testing
@testable import ReportingService

/// The dashboard's sign-in, session and overview page over HTTP.
struct DashboardTests {
    typealias Answer = (status: HTTPResponse.Status, headers: HTTPFields, body: String)

    static func send(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ path: String, cookies: [String: String] = [:],
        form: [String: String]? = nil, language: String? = nil
    ) async throws -> Answer {
        var headers = HTTPFields()
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if let language { headers[.acceptLanguage] = language }
        var body: ByteBuffer?
        if let form {
            headers[.contentType] = "application/x-www-form-urlencoded"
            body = ByteBuffer(string: form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&"))
        }
        return try await client.execute(uri: path, method: method, headers: headers, body: body) {
            ($0.status, $0.headers, String(buffer: $0.body))
        }
    }

    /// The value a `Set-Cookie` of the answer gives `name`.
    static func cookie(_ name: String, in answer: Answer) -> String? {
        for header in answer.headers[values: .setCookie] where header.hasPrefix(name + "=") {
            return String(header.dropFirst(name.count + 1).prefix { $0 != ";" })
        }
        return nil
    }

    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    @Test func signInShowsTheOverviewAndSignOutEndsTheSession() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ProfileEventsRouteTests.Shop(database)
            let app = try ReportingApplication.build(ServiceRuntime(configuration: TestKeys.configuration(.reporting)))
            try await app.test(.router) { client in
                #expect(try await Self.send(client, .get, "/dashboard").status == .seeOther)

                let page = try await Self.send(client, .get, "/dashboard/sign-in", language: "th-TH,th;q=0.9,en;q=0.8")
                #expect(page.status == .ok)
                #expect(page.body.contains("เข้าสู่ระบบ"), "Thai for a Thai browser")
                #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                #expect(!page.body.contains("<script"))
                let signInCookie = try #require(Self.cookie(DashboardRoutes.signInCookie, in: page))
                #expect(page.headers[values: .setCookie].allSatisfy { $0.contains("HttpOnly") && $0.contains("SameSite=Strict") })
                let token = try #require(Self.csrf(in: page.body))
                #expect(token == signInCookie)

                // A form posted from elsewhere has no matching token.
                let forged = try await Self.send(client, .post, "/dashboard/sign-in", form: ["csrf": "kc_forged", "api_key": shop.keys[.analyst]!])
                #expect(forged.status == .forbidden)
                let cookies = [DashboardRoutes.signInCookie: signInCookie]
                let wrongKey = try await Self.send(client, .post, "/dashboard/sign-in", cookies: cookies, form: ["csrf": token, "api_key": "ka_wrong"])
                #expect(wrongKey.status == .unauthorized)

                let signedIn = try await Self.send(client, .post, "/dashboard/sign-in?lang=en", cookies: cookies, form: ["csrf": token, "api_key": shop.keys[.analyst]!])
                #expect(signedIn.status == .seeOther)
                let session = try #require(Self.cookie(DashboardRoutes.sessionCookie, in: signedIn))
                let overview = try await Self.send(client, .get, "/dashboard?from=2026-05-01&to=2026-06-30&lang=en", cookies: [DashboardRoutes.sessionCookie: session])
                #expect(overview.status == .ok)
                #expect(overview.body.contains("Overview") && overview.body.contains("Orders") && overview.body.contains("Revenue (THB)"))
                #expect(!overview.body.contains(shop.keys[.analyst]!), "the key never comes back in a page")

                let signOutToken = try #require(Self.csrf(in: overview.body))
                let forgedOut = try await Self.send(client, .post, "/dashboard/sign-out", cookies: [DashboardRoutes.sessionCookie: session], form: ["csrf": "kc_x"])
                #expect(forgedOut.status == .forbidden)
                let out = try await Self.send(client, .post, "/dashboard/sign-out", cookies: [DashboardRoutes.sessionCookie: session], form: ["csrf": signOutToken])
                #expect(out.status == .seeOther)
                #expect(try await Self.send(client, .get, "/dashboard", cookies: [DashboardRoutes.sessionCookie: session]).status == .seeOther)
            }
        }
    }

    @Test func revokingTheKeyEndsItsSessions() async throws {
        try await TestDatabase.withClient { database in
            let shop = try await ProfileEventsRouteTests.Shop(database)
            let sessions = DashboardSessions(database: database, logger: TestDatabase.logger)
            let key = try #require(try await shop.tenancy.apiKeys(in: shop.workspace).first { $0.key.role == .viewer }?.key)
            let token = try await sessions.open(for: key)
            #expect(try await sessions.find(token)?.key == key)
            _ = try await shop.tenancy.revokeAPIKey(.id(key.id), in: shop.workspace, actor: "test")
            #expect(try await sessions.find(token) == nil)
        }
    }
}
