import ArgumentParser
import Foundation
import KinshipCore
import KinshipDatabase
import KinshipInternalClient
import KinshipOutbox
import KinshipPrivacy

struct WorkspacesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspaces",
        abstract: "Create and list workspaces (tenants).",
        subcommands: [Create.self, List.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a workspace with fresh encryption keys; prints its id.")

        @Argument(help: "Lowercase letters, digits, '-' and '_'.")
        var name: String

        @Flag(help: "Succeed without change when the workspace exists already.")
        var ifMissing = false

        func run() async throws {
            let workspace = try await AdminContext.withTenancy { [name, ifMissing] tenancy in
                do {
                    return try await tenancy.createWorkspace(name: name, actor: "cli")
                } catch let error as KinshipError where error.code == .workspaceExists && ifMissing {
                    return try await tenancy.workspace(.name(name))
                }
            }
            print(workspace.id.lowercased)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List workspaces.")

        func run() async throws {
            let workspaces = try await AdminContext.withTenancy { try await $0.workspaces() }
            print(TextTable(header: ["NAME", "ID", "CREATED"], rows: workspaces.map {
                [$0.name, $0.id.lowercased, Timestamp.format($0.createdAt)]
            }).rendered)
        }
    }
}
