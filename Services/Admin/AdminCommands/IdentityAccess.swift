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

    /// The calls' settings, with the workspace's id (looked up by name where needed).
    func connect() async throws -> InternalConnection {
        let url = identityURL ?? KinshipCore.Environment().optional("KINSHIP_IDENTITY_URL") ?? "http://127.0.0.1:8081"
        return try await workspace.connect(to: "identity", url: url)
    }

    /// The file's bytes, or standard input's for `-`.
    static func read(_ file: String) throws -> Data {
        if file == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
        return data
    }
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
