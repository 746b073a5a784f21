import ArgumentParser
import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke API keys; rewrap data keys after a master key rotation.",
        subcommands: [Create.self, List.self, Revoke.self, Rewrap.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API key for the reporting API; prints it once (only a hash is stored)."
        )

        @OptionGroup var workspace: WorkspaceOption

        @Option(help: "admin (everything, raw PII), analyst (PII masked) or viewer (reports only).")
        var role: APIRole

        @Option(help: "A name to recognise the key by.")
        var name: String = "default"

        func run() async throws {
            let (workspace, created) = try await AdminContext.withWorkspace(self.workspace) { [name, role] tenancy, workspace in
                try await tenancy.createAPIKey(in: workspace, name: name, role: role, actor: "cli")
            }
            AdminContext.note("\(role.rawValue) API key '\(name)' for workspace '\(workspace.name)' (shown once, store it now):")
            print(created.secret)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a workspace's API keys (never their secrets).")

        @OptionGroup var workspace: WorkspaceOption

        func run() async throws {
            let (_, keys) = try await AdminContext.withWorkspace(self.workspace) { tenancy, workspace in
                try await tenancy.apiKeys(in: workspace)
            }
            print(TextTable(header: ["NAME", "ID", "ROLE", "CREATED", "REVOKED"], rows: keys.map { record in
                [record.key.name, record.key.id.lowercased, record.key.role.rawValue, Timestamp.format(record.createdAt),
                 record.revokedAt.map { Timestamp.format($0) } ?? "-"]
            }).rendered)
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke an API key for good; the next request that presents it is refused."
        )

        @OptionGroup var workspace: WorkspaceOption

        @Option(help: "The key's name (when several keys in use share it, give --id instead).")
        var name: String?

        @Option(help: "The key's id, from `kinship keys list`.")
        var id: String?

        func validate() throws {
            guard (name == nil) != (id == nil) else { throw ValidationError("Give --name or --id, not both and not neither.") }
            if let id, UUID(uuidString: id) == nil { throw ValidationError("--id takes a key id as `kinship keys list` shows it.") }
        }

        func run() async throws {
            let selector: APIKeySelector = if let id, let uuid = UUID(uuidString: id) { .id(uuid) } else { .name(name ?? "") }
            let (workspace, (key, change)) = try await AdminContext.withWorkspace(self.workspace) { tenancy, workspace in
                try await tenancy.revokeAPIKey(selector, in: workspace, actor: "cli")
            }
            let what = "API key '\(key.name)' (\(key.id.lowercased)) in workspace '\(workspace.name)'"
            print(change == .changed ? "\(what) is now revoked" : "\(what) was already revoked")
        }
    }

    struct Rewrap: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-seal every wrapped data key under the current master key (after a rotation).",
            discussion: """
                Runs while the platform runs, in short batches; it can be interrupted and run again. Start the \
                services with the new KINSHIP_MASTER_KEY first. Exits 1 when some profiles stayed locked by other \
                transactions: run it again before dropping the retired key.
                """
        )

        @Option(help: "Profiles re-sealed per transaction.")
        var batchSize: Int = 500

        func validate() throws {
            guard (1...10_000).contains(batchSize) else { throw ValidationError("--batch-size must be 1–10000") }
        }

        func run() async throws {
            let summary = try await AdminContext.withTenancy { [batchSize] tenancy in
                let clock = ContinuousClock()
                var reported = clock.now
                return try await tenancy.rewrapKeys(actor: "cli", batchSize: batchSize) { summary in
                    guard clock.now - reported >= .seconds(2) else { return }
                    reported = clock.now
                    AdminContext.note("profiles scanned: \(summary.profilesScanned), keys rewrapped: \(summary.rewrapped)")
                }
            }
            print("rewrapped \(summary.rewrapped) keys under the current master key (\(summary.profilesScanned) profiles scanned)")
            if summary.busy > 0 {
                AdminContext.note("\(summary.busy) profiles stayed locked by other transactions and keep their old wrapping: run `kinship keys rewrap` again")
                throw ExitCode.failure
            }
        }
    }
}

extension APIRole: ExpressibleByArgument {}
