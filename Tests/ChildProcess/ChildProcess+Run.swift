import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ChildProcess {
    /// Runs `executable` to completion, as a CLI command or a tool is run, and returns its exit status and
    /// output. Kills it and fails when it runs longer than `timeout`, so a hung child fails its test
    /// instead of hanging the run.
    public static func run(
        _ executable: URL, _ arguments: [String] = [], environment: [String: String] = [:],
        inheriting inherited: InheritedEnvironment = .withoutKinshipVariables, timeout: Duration = .seconds(60)
    ) async throws -> CompletedProcess {
        let process = try ChildProcess(executable, arguments: arguments, environment: environment, inheriting: inherited)
        guard let status = try await process.waitForExit(timeout: timeout) else {
            process.signal(SIGKILL)
            throw process.failure("still ran after \(timeout), so it was killed")
        }
        return CompletedProcess(status: status, outputData: process.outputData, error: process.standardError)
    }

    /// Runs the executable `name` in `directory`, the folder a build put its products in, to completion.
    public static func run(
        _ name: String, in directory: URL, _ arguments: [String] = [], environment: [String: String] = [:],
        inheriting inherited: InheritedEnvironment = .withoutKinshipVariables, timeout: Duration = .seconds(60)
    ) async throws -> CompletedProcess {
        try await run(directory.appendingPathComponent(name), arguments, environment: environment, inheriting: inherited, timeout: timeout)
    }
}
