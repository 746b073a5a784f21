import Foundation
import Logging
import PostgresNIO
import Shared

/// Runs a command body with a started database pool, then shuts it down.
enum AdminContext {
    static var logger: Logger {
        var logger = Logger(label: "kinship.cli")
        logger.logLevel = .warning
        return logger
    }

    static func withDatabase<T: Sendable>(
        environment: Shared.Environment = Shared.Environment(),
        _ body: @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        let url = try DatabaseURL(parsing: environment.required("KINSHIP_DATABASE_URL"))
        let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    static func withTenancy<T: Sendable>(_ body: @Sendable (TenancyStore) async throws -> T) async throws -> T {
        let environment = Shared.Environment()
        let keyring = try MasterKeyring.load(from: environment)
        return try await withDatabase(environment: environment) { client in
            try await body(TenancyStore(database: client, keyring: keyring, logger: logger))
        }
    }

    /// Explanations go to standard error so standard output carries only what scripts capture.
    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
