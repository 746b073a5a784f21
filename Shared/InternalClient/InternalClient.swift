import AsyncHTTPClient
import Foundation
import KinshipCore
import NIOCore

/// Calls a service's internal API (`/internal/v1/…`) with the shared internal token: the admin CLI's
/// way to ask identity (and later the other services) questions that need an answer now.
public struct InternalClient: Sendable {
    public enum Method: Sendable { case get, post, put, delete }

    /// A reply: its status and body, whatever the status.
    public struct Reply: Sendable {
        public let status: Int
        public let body: Data

        /// The error an internal API answered (`{"error": {"code", "message"}}`), as one line.
        public var errorDescription: String {
            if let error = try? JSONCoding.decoder().decode(ErrorBody.self, from: body).error {
                return "\(error.code): \(error.message) (HTTP \(status))"
            }
            return "HTTP \(status): \(String(decoding: body.prefix(300), as: UTF8.self))"
        }
    }

    let baseURL: String
    let token: String
    let http: HTTPClient

    /// A client of the service at `baseURL` on the process-wide HTTP client, for a service that keeps one for
    /// its life.
    public init(baseURL: String, token: String) {
        self.init(baseURL: baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL, token: token, http: .shared)
    }

    init(baseURL: String, token: String, http: HTTPClient) {
        self.baseURL = baseURL
        self.token = token
        self.http = http
    }

    /// Runs `body` with a client of the service at `baseURL`, shut down afterwards.
    public static func with<T: Sendable>(baseURL: String, token: String, _ body: (InternalClient) async throws -> T) async throws -> T {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let client = InternalClient(baseURL: baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL, token: token, http: http)
        do {
            let result = try await body(client)
            try await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    public func send(_ method: Method, _ path: String, query: [String: String] = [:], body: Data? = nil) async throws -> Reply {
        var components = URLComponents()
        components.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        let suffix = query.isEmpty ? "" : "?" + (components.percentEncodedQuery ?? "")
        var request = HTTPClientRequest(url: baseURL + path + suffix)
        switch method {
        case .get: request.method = .GET
        case .post: request.method = .POST
        case .put: request.method = .PUT
        case .delete: request.method = .DELETE
        }
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await http.execute(request, timeout: .seconds(120))
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return Reply(status: Int(response.status.code), body: Data(bytes.readableBytesView))
    }
}
