import ArgumentParser
import KinshipCore
import KinshipDatabase
import KinshipOutbox

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the database migrations this release carries (safe to run from several processes at once)."
    )

    func run() async throws {
        let applied = try await AdminContext.withDatabase { client in
            try await MigrationRunner().migrate(client, logger: AdminContext.logger)
        }
        let latest = Migration.bundled.last?.version ?? 0
        if applied.isEmpty {
            print("database is up to date (migration \(latest))")
        } else {
            print("applied migrations \(applied.map(String.init).joined(separator: ", ")); database is at \(latest)")
        }
    }
}
