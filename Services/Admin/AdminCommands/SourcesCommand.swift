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

        @Option(help: "browser (its key ships in web pages and e-mails: tracking calls only) or server (kept on a back-end: also imports).")
        var kind: SourceKind

        func run() async throws {
            let created = try await AdminContext.withTenancy { [workspace, name, kind] tenancy in
                try await tenancy.createSource(in: tenancy.workspace(named: workspace), name: name, kind: kind, actor: "cli")
            }
            AdminContext.note("write key of \(kind.rawValue) source '\(name)' in workspace '\(workspace)' (shown once, store it now):")
            print(created.secret)
        }
    }
}

extension SourceKind: ExpressibleByArgument {}
