import ArgumentParser
import KinshipDatabase
import PostgresNIO

/// `--workspace`, as every command about one workspace takes it: the workspace's name or its id.
struct WorkspaceOption: ParsableArguments {
    @Option(name: .customLong("workspace"), help: "The workspace's name or id.")
    var nameOrID: String

    var reference: WorkspaceReference { WorkspaceReference(nameOrID) }

    /// The workspace, looked up; `not_found` naming what was given when there is none.
    func resolve(on database: PostgresClient) async throws -> Workspace {
        try await TenancyStore.workspace(reference, database: database, logger: AdminContext.logger)
    }
}
