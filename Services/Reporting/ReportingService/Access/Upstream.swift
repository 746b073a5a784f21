import Foundation
import KinshipCore
import KinshipInternalClient

/// Identity's and segmentation's internal APIs, as reporting asks them: their answers decoded, their
/// refusals passed on with the same code and status, and an unreachable service as `upstream_unavailable`.
struct Upstream: Sendable {
    let client: InternalClient
    let name: String

    /// The decoded answer of a 2xx.
    func call<T: Decodable>(
        _ method: InternalClient.Method, _ path: String, query: [String: String], body: Data? = nil, as type: T.Type
    ) async throws -> T {
        let reply = try await send(method, path, query: query, body: body)
        do {
            return try JSONCoding.decoder().decode(T.self, from: reply.body)
        } catch {
            throw KinshipError(code: .internalError, status: .internalServerError, message: "\(name) answered what reporting cannot read.")
        }
    }

    /// The reply of a 2xx; the upstream's own error (4xx) as a `KinshipError` of its code.
    func send(_ method: InternalClient.Method, _ path: String, query: [String: String], body: Data? = nil) async throws -> InternalClient.Reply {
        let reply: InternalClient.Reply
        do {
            reply = try await client.send(method, path, query: query, body: body)
        } catch {
            throw Self.unavailable(name)
        }
        guard (200..<300).contains(reply.status) else {
            if (400..<500).contains(reply.status), let error = try? JSONCoding.decoder().decode(ErrorBody.self, from: reply.body).error,
               let code = ErrorCode(rawValue: error.code), code != .missingInternalToken, code != .invalidInternalToken {
                throw KinshipError(code: code, status: .init(code: reply.status), message: error.message)
            }
            if (400..<500).contains(reply.status), reply.status != 401 {
                throw KinshipError(code: .clientError, status: .init(code: reply.status), message: "\(name) refused the request (HTTP \(reply.status)).")
            }
            throw Self.unavailable(name)
        }
        return reply
    }

    static func unavailable(_ name: String) -> KinshipError {
        KinshipError(
            code: .upstreamUnavailable, status: .serviceUnavailable, message: "\(name) did not answer; retry shortly.", headers: [.retryAfter: "5"]
        )
    }
}
