import ArgumentParser
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy

struct SourcesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources",
        abstract: "Create, list, disable, enable event sources; rotate their write keys.",
        discussion: """
            Running ingestion processes remember a write key's source for KINSHIP_WRITE_KEY_CACHE_SECONDS \
            (default 30): a disabled source or a rotated key keeps working there for at most that long.
            """,
        subcommands: [Create.self, List.self, Disable.self, Enable.self, Rotate.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a source; prints its write key once (only a hash is stored)."
        )

        @OptionGroup var workspace: WorkspaceOption

        @Option(help: "A name for the source, unique in the workspace (e.g. web, shop-backend, pos).")
        var name: String

        @Option(help: "browser (its key ships in web pages and e-mails: tracking calls only) or server (kept on a back-end: also imports).")
        var kind: SourceKind

        func run() async throws {
            let (workspace, created) = try await AdminContext.withWorkspace(self.workspace) { [name, kind] tenancy, workspace in
                try await tenancy.createSource(in: workspace, name: name, kind: kind, actor: "cli")
            }
            AdminContext.note("write key of \(kind.rawValue) source '\(name)' in workspace '\(workspace.name)' (shown once, store it now):")
            print(created.secret)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a workspace's sources (never their write keys).")

        @OptionGroup var workspace: WorkspaceOption

        func run() async throws {
            let (_, sources) = try await AdminContext.withWorkspace(self.workspace) { tenancy, workspace in
                try await tenancy.sources(in: workspace)
            }
            print(TextTable(header: ["NAME", "KIND", "ID", "CREATED", "DISABLED"], rows: sources.map { record in
                [record.source.name, record.source.kind.rawValue, record.source.id.lowercased, Timestamp.format(record.createdAt),
                 record.disabledAt.map { Timestamp.format($0) } ?? "-"]
            }).rendered)
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Refuse the source's write key from now on (events already stored stay).")

        @OptionGroup var source: NamedSource

        func run() async throws {
            try await SourcesCommand.set(source, disabled: true)
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Accept a disabled source's write key again.")

        @OptionGroup var source: NamedSource

        func run() async throws {
            try await SourcesCommand.set(source, disabled: false)
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give the source a new write key, printed once; the old key stops working (no grace period)."
        )

        @OptionGroup var source: NamedSource

        func run() async throws {
            let name = source.name
            let (workspace, rotated) = try await AdminContext.withWorkspace(source.workspace) { tenancy, workspace in
                try await tenancy.rotateWriteKey(ofSourceNamed: name, in: workspace, actor: "cli")
            }
            if rotated.owner.disabledAt != nil {
                AdminContext.note("source '\(name)' is disabled: the new key works once it is enabled")
            }
            AdminContext.note("new write key of source '\(name)' in workspace '\(workspace.name)' (shown once, store it now; the old one no longer works):")
            print(rotated.secret)
        }
    }

    /// The source a command acts on.
    struct NamedSource: ParsableArguments {
        @OptionGroup var workspace: WorkspaceOption

        @Option(help: "The source's name.")
        var name: String
    }

    static func set(_ source: NamedSource, disabled: Bool) async throws {
        let name = source.name
        let (workspace, change) = try await AdminContext.withWorkspace(source.workspace) { tenancy, workspace in
            try await tenancy.setSource(named: name, in: workspace, disabled: disabled, actor: "cli")
        }
        let state = disabled ? "disabled" : "enabled"
        let what = "source '\(name)' in workspace '\(workspace.name)'"
        print(change == .changed ? "\(what) is now \(state)" : "\(what) was already \(state)")
    }
}

extension SourceKind: ExpressibleByArgument {}
