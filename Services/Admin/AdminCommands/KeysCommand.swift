import ArgumentParser
import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create API keys; rewrap data keys after a master key rotation.",
        subcommands: [Create.self, Rewrap.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API key for the reporting API; prints it once (only a hash is stored)."
        )

        @Option(help: "The workspace's name.")
        var workspace: String

        @Option(help: "admin (everything, raw PII), analyst (PII masked) or viewer (reports only).")
        var role: APIRole

        @Option(help: "A name to recognise the key by.")
        var name: String = "default"

        func run() async throws {
            let created = try await AdminContext.withTenancy { [workspace, name, role] tenancy in
                try await tenancy.createAPIKey(in: tenancy.workspace(named: workspace), name: name, role: role, actor: "cli")
            }
            AdminContext.note("\(role.rawValue) API key '\(name)' for workspace '\(workspace)' (shown once, store it now):")
            print(created.secret)
        }
    }

    struct Rewrap: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-seal every wrapped data key under the current master key (after a rotation)."
        )

        func run() async throws {
            let count = try await AdminContext.withTenancy { tenancy in try await tenancy.rewrapKeys(actor: "cli") }
            print("rewrapped \(count) keys under the current master key")
        }
    }
}

extension APIRole: ExpressibleByArgument {}
