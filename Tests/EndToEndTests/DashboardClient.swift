import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// A signed-in dashboard user over real HTTP, as a browser without scripts would be: the sign-in form with
/// its CSRF cookie, then pages with the session cookie. Redirects are not followed, so their cookies and
/// targets can be checked.
struct DashboardClient: Sendable {
    struct Answer: Sendable {
        let status: UInt
        let body: String
        let location: String?
        let setCookies: [String]
    }

    let baseURL: String
    let session: String

    static func signIn(_ baseURL: String, key: String) async throws -> DashboardClient {
        let page = try await send(baseURL + "/dashboard/sign-in?lang=en")
        let token = try #require(csrf(in: page.body), "the sign-in form has a CSRF token")
        let signInCookie = try #require(cookie("kinship_sign_in", in: page))
        let signedIn = try await send(
            baseURL + "/dashboard/sign-in?lang=en", method: .POST, cookies: ["kinship_sign_in": signInCookie], form: ["csrf": token, "api_key": key]
        )
        let session = try #require(cookie("kinship_session", in: signedIn), "signing in sets the session (\(signedIn.status))")
        return DashboardClient(baseURL: baseURL, session: session)
    }

    func get(_ path: String) async throws -> Answer {
        try await Self.send(baseURL + path, cookies: ["kinship_session": session])
    }

    func post(_ path: String, form: [String: String]) async throws -> Answer {
        try await Self.send(baseURL + path, method: .POST, cookies: ["kinship_session": session], form: form)
    }

    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    static func cookie(_ name: String, in answer: Answer) -> String? {
        for header in answer.setCookies where header.hasPrefix(name + "=") {
            return String(header.dropFirst(name.count + 1).prefix { $0 != ";" })
        }
        return nil
    }

    private static let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    static func send(
        _ url: String, method: HTTPMethod = .GET, cookies: [String: String] = [:], form: [String: String]? = nil, accept: String? = nil
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let accept { request.headers.add(name: "Accept", value: accept) }
        if !cookies.isEmpty { request.headers.add(name: "Cookie", value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
        if let form {
            var components = URLComponents()
            components.queryItems = form.map { URLQueryItem(name: $0.key, value: $0.value) }
            let body = (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 8 << 20)
        return Answer(
            status: response.status.code, body: String(buffer: body), location: response.headers.first(name: "Location"),
            setCookies: response.headers["Set-Cookie"]
        )
    }
}
