import ArgumentParser
import Foundation
import KinshipCore
import KinshipDatabase
import KinshipInternalClient
import KinshipOutbox
import KinshipPrivacy

/// Where the identity service is and which workspace a command is about (`kinship profiles`, `kinship rules`).
struct IdentityAccess: ParsableArguments {
    @Option(help: "The workspace id.")
    var workspace: String

    @Option(help: "The identity service's base URL (default: KINSHIP_IDENTITY_URL, else http://127.0.0.1:8081).")
    var identityURL: String?

    func validate() throws {
        guard UUID(uuidString: workspace) != nil else { throw ValidationError("--workspace must be a workspace id (a UUID)") }
    }

    /// Sends one call with KINSHIP_INTERNAL_TOKEN; a reply that is not 2xx becomes the error it names.
    /// Returns the reply's body as identity wrote it.
    func send(_ method: InternalClient.Method, _ path: String, query: [String: String] = [:], body: Data? = nil) async throws -> Data {
        let environment = KinshipCore.Environment()
        guard let token = environment.optional("KINSHIP_INTERNAL_TOKEN") else {
            throw ValidationError("set KINSHIP_INTERNAL_TOKEN to the installation's internal token")
        }
        let base = identityURL ?? environment.optional("KINSHIP_IDENTITY_URL") ?? "http://127.0.0.1:8081"
        let reply: InternalClient.Reply
        do {
            reply = try await InternalClient.with(baseURL: base, token: token) { client in
                try await client.send(method, path, query: query.merging(["workspace": workspace]) { mine, _ in mine }, body: body)
            }
        } catch {
            throw ValidationError("could not reach identity at \(base): \(error)")
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

    /// The file's bytes, or standard input's for `-`.
    static func read(_ file: String) throws -> Data {
        if file == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
        return data
    }
}

/// What the identity service refused, as it said it.
struct IdentityCallError: Error, CustomStringConvertible {
    let description: String
}

extension JSONValue {
    /// A value as one cell of a table.
    var cell: String {
        switch self {
        case .string(let text): text
        case .null: "-"
        default: serialized()
        }
    }
}
