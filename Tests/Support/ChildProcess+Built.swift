@_exported import KinshipChildProcess
import Foundation

extension ChildProcess {
    /// The folder holding the package's built executables: `KINSHIP_BIN_DIR` (set by scripts/test), else `.build/debug`.
    public static var builtExecutables: URL {
        if let dir = ProcessInfo.processInfo.environment["KINSHIP_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug")
    }

    /// Starts one of the package's built executables (`ingestion`, `outbox-probe`, …), its output in
    /// temporary files, configured only by the `KINSHIP_*` variables in `environment`.
    public convenience init(built name: String, arguments: [String] = [], environment: [String: String]) throws {
        try self.init(name, in: Self.builtExecutables, arguments: arguments, environment: environment)
    }

    /// Runs one of the package's built executables (a `kinship` command) to completion.
    public static func run(
        built name: String, _ arguments: [String], environment: [String: String], timeout: Duration = .seconds(60)
    ) async throws -> CompletedProcess {
        try await run(name, in: builtExecutables, arguments, environment: environment, timeout: timeout)
    }
}
