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

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a workspace's sources (never their write keys).")

        @Option(help: "The workspace's name.")
        var workspace: String

        func run() async throws {
            let sources = try await AdminContext.withTenancy { [workspace] tenancy in
                try await tenancy.sources(in: tenancy.workspace(named: workspace))
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
            let (name, workspace) = (source.name, source.workspace)
            let rotated = try await AdminContext.withTenancy { tenancy in
                try await tenancy.rotateWriteKey(ofSourceNamed: name, in: tenancy.workspace(named: workspace), actor: "cli")
            }
            if rotated.owner.disabledAt != nil {
                AdminContext.note("source '\(name)' is disabled: the new key works once it is enabled")
            }
            AdminContext.note("new write key of source '\(name)' in workspace '\(workspace)' (shown once, store it now; the old one no longer works):")
            print(rotated.secret)
        }
    }

    /// The source a command acts on.
    struct NamedSource: ParsableArguments {
        @Option(help: "The workspace's name.")
        var workspace: String

        @Option(help: "The source's name.")
        var name: String
    }

    static func set(_ source: NamedSource, disabled: Bool) async throws {
        let (name, workspace) = (source.name, source.workspace)
        let change = try await AdminContext.withTenancy { tenancy in
            try await tenancy.setSource(named: name, in: tenancy.workspace(named: workspace), disabled: disabled, actor: "cli")
        }
        let state = disabled ? "disabled" : "enabled"
        print(change == .changed ? "source '\(name)' in workspace '\(workspace)' is now \(state)" : "source '\(name)' in workspace '\(workspace)' was already \(state)")
    }
}

extension SourceKind: ExpressibleByArgument {}
