import ArgumentParser
import Foundation
import KinshipCore
import KinshipInternalClient

/// Calls to the identity service's internal API about one workspace, with KINSHIP_INTERNAL_TOKEN.
struct IdentityConnection: Sendable {
    let baseURL: String
    let token: String
    let workspaceID: UUID

    /// Sends one call; a reply that is not 2xx becomes the error it names. Returns the reply's body as identity wrote it.
    func send(_ method: InternalClient.Method, _ path: String, query: [String: String] = [:], body: Data? = nil) async throws -> Data {
        let reply: InternalClient.Reply
        do {
            reply = try await InternalClient.with(baseURL: baseURL, token: token) { [workspaceID] client in
                try await client.send(method, path, query: query.merging(["workspace": workspaceID.lowercased]) { mine, _ in mine }, body: body)
            }
        } catch {
            throw ValidationError("could not reach identity at \(baseURL): \(error)")
        }
        guard (200..<300).contains(reply.status) else { throw IdentityCallError(description: reply.errorDescription) }
        return reply.body
    }

    /// `send`, with the answer read as identity's contract type for it.
    func call<Answer: Decodable>(
        _ method: InternalClient.Method, _ path: String, query: [String: String] = [:], body: Data? = nil, as answer: Answer.Type
    ) async throws -> Answer {
        try JSONCoding.decode(Answer.self, from: try await send(method, path, query: query, body: body))
    }
}
