import ArgumentParser
import Foundation
import KinshipCore
import KinshipDatabase

/// `kinship audit`: what the audit log holds for a workspace, newest first.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "List a workspace's audit log: who created keys and sources, asked for privacy requests, read personal data in clear.",
        discussion: "Actions: workspace.created, source.*, api_key.*, privacy.export, privacy.erase, privacy.suppress, profile.pii_read, …"
    )

    @OptionGroup var workspace: WorkspaceOption

    @Option(help: "Only this action, or every action under a prefix ending in '.' (privacy.).")
    var action: String?

    @Option(help: "At most this many entries (1 to 10000).")
    var limit = 100

    func validate() throws {
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be 1 to 10000") }
    }

    func run() async throws {
        let (_, entries) = try await AdminContext.withWorkspace(workspace) { [action, limit] tenancy, workspace in
            try await AuditLog(database: tenancy.database, logger: AdminContext.logger).entries(in: workspace.id, action: action, limit: limit)
        }
        print(TextTable(header: ["AT", "ACTOR", "ACTION", "TARGET", "DETAILS"], rows: entries.map { entry in
            [Timestamp.format(entry.at), entry.actor, entry.action, entry.target ?? "-", entry.details == .object([:]) ? "-" : entry.details.serialized()]
        }).rendered)
    }
}
