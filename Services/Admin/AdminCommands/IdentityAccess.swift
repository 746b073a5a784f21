import ArgumentParser
import Foundation
import KinshipCore
import KinshipDatabase
import KinshipInternalClient
import KinshipOutbox
import KinshipPrivacy

/// Where the identity service is and which workspace a command is about (`kinship profiles`, `kinship rules`).
struct IdentityAccess: ParsableArguments {
    @OptionGroup var workspace: WorkspaceOption

    @Option(help: "The identity service's base URL (default: KINSHIP_IDENTITY_URL, else http://127.0.0.1:8081).")
    var identityURL: String?

    /// The calls' settings, with the workspace's id. Identity is asked by id, so a name is looked up in
    /// KINSHIP_DATABASE_URL's database; so is an id when that variable is set, so that a wrong one fails
    /// here, saying so. Without it an id goes to identity as given.
    func connect() async throws -> IdentityConnection {
        let environment = KinshipCore.Environment()
        guard let token = environment.optional("KINSHIP_INTERNAL_TOKEN") else {
            throw ValidationError("set KINSHIP_INTERNAL_TOKEN to the installation's internal token")
        }
        let base = identityURL ?? environment.optional("KINSHIP_IDENTITY_URL") ?? "http://127.0.0.1:8081"
        let workspaceID: UUID
        switch (workspace.reference, environment.optional("KINSHIP_DATABASE_URL")) {
        case (.id(let id), nil):
            workspaceID = id
        case (.name(let name), nil):
            throw ValidationError("set KINSHIP_DATABASE_URL to look up workspace '\(name)' by name, or give its id")
        case (_, .some):
            workspaceID = try await AdminContext.withDatabase(environment: environment) { [workspace] database in
                try await workspace.resolve(on: database).id
            }
        }
        return IdentityConnection(baseURL: base, token: token, workspaceID: workspaceID)
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
