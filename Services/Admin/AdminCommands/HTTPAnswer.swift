import AsyncHTTPClient
import Foundation
import KinshipCore
import NIOCore

/// A service's answer as the CLI keeps it: the status, the `Retry-After` it asked for, and the body.
struct HTTPAnswer: Sendable {
    let status: Int
    let retryAfter: String?
    let body: Data

    init(status: Int, retryAfter: String? = nil, body: Data) {
        self.status = status
        self.retryAfter = retryAfter
        self.body = body
    }

    /// Runs the request and reads the answer's body (up to `maximumBody` bytes).
    static func execute(
        _ request: HTTPClientRequest, on client: HTTPClient, timeout: TimeAmount, maximumBody: Int = 4 * 1024 * 1024
    ) async throws -> HTTPAnswer {
        let response = try await client.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: maximumBody)
        return HTTPAnswer(status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"), body: Data(buffer: body))
    }

    /// The status, the error's code and its message, for telling why a request was refused.
    var refusal: String {
        let error = (try? JSONCoding.decoder().decode(ErrorBody.self, from: body))?.error
        let code = error?.code ?? "http_\(status)"
        let message = error?.message ?? String(decoding: body.prefix(500), as: UTF8.self)
        return "(\(status) \(code)): \(message)"
    }
}
