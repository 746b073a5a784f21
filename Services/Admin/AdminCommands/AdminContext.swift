import Foundation
import KinshipCore
import KinshipDatabase
import KinshipInternalClient
import KinshipOutbox
import KinshipPrivacy
import Logging
import PostgresNIO

/// Runs a command body with a started database pool, then shuts it down.
enum AdminContext {
    static var logger: Logger {
        var logger = Logger(label: "kinship.cli")
        logger.logLevel = .warning
        return logger
    }

    static func withDatabase<T: Sendable>(
        environment: KinshipCore.Environment = KinshipCore.Environment(),
        _ body: @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        try await DatabaseURL(parsing: environment.required("KINSHIP_DATABASE_URL")).withClient(logger: logger, body)
    }

    static func withTenancy<T: Sendable>(_ body: @Sendable (TenancyStore) async throws -> T) async throws -> T {
        let environment = KinshipCore.Environment()
        let keyring = try MasterKeyring.load(from: environment)
        return try await withDatabase(environment: environment) { client in
            try await body(TenancyStore(database: client, keyring: keyring, logger: logger))
        }
    }

    /// `withTenancy`, with the workspace `--workspace` names looked up first; returns it beside the body's result.
    static func withWorkspace<T: Sendable>(
        _ option: WorkspaceOption, _ body: @Sendable (TenancyStore, Workspace) async throws -> T
    ) async throws -> (workspace: Workspace, result: T) {
        try await withTenancy { tenancy in
            let workspace = try await tenancy.workspace(option.reference)
            return (workspace, try await body(tenancy, workspace))
        }
    }

    /// Explanations go to standard error so standard output carries only what scripts capture.
    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
