import ArgumentParser
import Foundation
import KinshipCore
import KinshipInternalClient

/// Calls to a service's internal API (identity's, segmentation's) about one workspace, with KINSHIP_INTERNAL_TOKEN.
struct InternalConnection: Sendable {
    /// The service's name, for messages.
    let service: String
    let baseURL: String
    let token: String
    let workspaceID: UUID

    /// Sends one call; a reply that is not 2xx becomes the error it names. Returns the reply's body as the service wrote it.
    func send(_ method: InternalClient.Method, _ path: String, query: [String: String] = [:], body: Data? = nil) async throws -> Data {
        let reply: InternalClient.Reply
        do {
            reply = try await InternalClient.with(baseURL: baseURL, token: token) { [workspaceID] client in
                try await client.send(method, path, query: query.merging(["workspace": workspaceID.lowercased]) { mine, _ in mine }, body: body)
            }
        } catch {
            throw ValidationError("could not reach \(service) at \(baseURL): \(error)")
        }
        guard (200..<300).contains(reply.status) else { throw InternalCallError(description: reply.errorDescription) }
        return reply.body
    }

    /// `send`, with the answer read as the service's contract type for it.
    func call<Answer: Decodable>(
        _ method: InternalClient.Method, _ path: String, query: [String: String] = [:], body: Data? = nil, as answer: Answer.Type
    ) async throws -> Answer {
        try JSONCoding.decode(Answer.self, from: try await send(method, path, query: query, body: body))
    }
}

/// What a service refused, as it said it.
struct InternalCallError: Error, CustomStringConvertible {
    let description: String
}

extension WorkspaceOption {
    /// The calls' settings for `service` at `url`, with the workspace's id. Services are asked by id, so a
    /// name is looked up in KINSHIP_DATABASE_URL's database; so is an id when that variable is set, so that
    /// a wrong one fails here, saying so. Without it an id goes to the service as given.
    func connect(to service: String, url: String) async throws -> InternalConnection {
        let environment = KinshipCore.Environment()
        guard let token = environment.optional("KINSHIP_INTERNAL_TOKEN") else {
            throw ValidationError("set KINSHIP_INTERNAL_TOKEN to the installation's internal token")
        }
        let workspaceID: UUID
        switch (reference, environment.optional("KINSHIP_DATABASE_URL")) {
        case (.id(let id), nil):
            workspaceID = id
        case (.name(let name), nil):
            throw ValidationError("set KINSHIP_DATABASE_URL to look up workspace '\(name)' by name, or give its id")
        case (_, .some):
            workspaceID = try await AdminContext.withDatabase(environment: environment) { database in
                try await resolve(on: database).id
            }
        }
        return InternalConnection(service: service, baseURL: url, token: token, workspaceID: workspaceID)
    }
}
