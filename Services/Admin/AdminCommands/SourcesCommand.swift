import ArgumentParser
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy

struct SourcesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources",
        abstract: "Create event sources.",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a source; prints its write key once (only a hash is stored)."
        )

        @Option(help: "The workspace's name.")
        var workspace: String

        @Option(help: "A name for the source, unique in the workspace (e.g. web, shop-backend, pos).")
        var name: String

        func run() async throws {
            let created = try await AdminContext.withTenancy { [workspace, name] tenancy in
                try await tenancy.createSource(in: tenancy.workspace(named: workspace), name: name, actor: "cli")
            }
            AdminContext.note("write key of source '\(name)' in workspace '\(workspace)' (shown once, store it now):")
            print(created.secret)
        }
    }
}
