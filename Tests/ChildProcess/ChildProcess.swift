import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process of a test or a benchmark: one of the package's executables or a tool, its output kept
/// where the caller can read it, stopped as an orchestrator stops a service. A child still running when
/// this object goes away is killed, so a failed test or benchmark leaves no process behind.
public final class ChildProcess: Sendable {
    /// Which of this process's environment variables the child starts with, before the ones given.
    public enum InheritedEnvironment: Sendable {
        /// All but `KINSHIP_*`: our executables are configured by those, and must see only what the caller
        /// gives them, not the test runner's or the benchmark's own.
        case withoutKinshipVariables
        /// All of them, for a child that reads the same configuration as its parent.
        case all
    }

    /// Where the child's standard output and standard error go.
    public enum Output: Sendable {
        /// Each to its own temporary file, removed with this object.
        case files
        /// Standard output to a temporary file, removed with this object; standard error to this process's
        /// own, so the child's diagnostics show as they happen.
        case standardOutputFile
        /// Both to one file, in the order written, kept after this object so its path can be reported.
        case log(URL)
    }

    /// The executable's file name, for messages.
    public let name: String
    private let process: Process
    /// Standard output's file; with `.log`, the log.
    private let outputFile: URL
    /// Standard error's file; nil when standard error is not kept apart.
    private let errorFile: URL?
    /// The folder of the temporary files, removed with this object; nil with `.log`.
    private let scratch: URL?

    /// Starts `executable` with this process's environment (as `inheriting` says) plus `environment`.
    public init(
        _ executable: URL, arguments: [String] = [], environment: [String: String] = [:],
        inheriting inherited: InheritedEnvironment = .withoutKinshipVariables, output: Output = .files, workingDirectory: URL? = nil
    ) throws {
        name = executable.lastPathComponent
        let process = Process()
        self.process = process
        process.executableURL = executable
        process.arguments = arguments
        var base = ProcessInfo.processInfo.environment
        if case .withoutKinshipVariables = inherited { base = base.filter { !$0.key.hasPrefix("KINSHIP_") } }
        process.environment = base.merging(environment) { $1 }
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }

        switch output {
        case .log(let log):
            scratch = nil
            outputFile = log
            errorFile = nil
            // One handle for both streams: they share its offset, so lines interleave instead of overwriting.
            let handle = try Self.emptyFile(log)
            process.standardOutput = handle
            process.standardError = handle
        case .files, .standardOutputFile:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kinship-child-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            scratch = folder
            outputFile = folder.appendingPathComponent("stdout")
            process.standardOutput = try Self.emptyFile(outputFile)
            if case .files = output {
                let file = folder.appendingPathComponent("stderr")
                errorFile = file
                process.standardError = try Self.emptyFile(file)
            } else {
                // Left unset, the child inherits this process's standard error.
                errorFile = nil
            }
        }
        // Every property is set, so when this throws, deinit still removes the temporary files.
        try process.run()
    }

    /// Starts the executable `name` in `directory`, the folder a build put its products in.
    public convenience init(
        _ name: String, in directory: URL, arguments: [String] = [], environment: [String: String] = [:],
        inheriting inherited: InheritedEnvironment = .withoutKinshipVariables, output: Output = .files
    ) throws {
        try self.init(
            directory.appendingPathComponent(name), arguments: arguments, environment: environment, inheriting: inherited, output: output
        )
    }

    /// A new path in the temporary folder for a log to keep: `<prefix>-<8 random characters>.log`.
    public static func temporaryLog(_ prefix: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8)).log")
    }

    private static func emptyFile(_ url: URL) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw ChildProcessError("cannot create \(url.path) for a child process's output")
        }
        return try FileHandle(forWritingTo: url)
    }

    public var pid: Int32 { process.processIdentifier }

    public var isRunning: Bool { process.isRunning }

    /// The exit status once the process has ended, nil while it runs. A death by signal reads as 128 + the
    /// signal's number, as shells report it, so it cannot be mistaken for an exit with that number.
    public var exitStatus: Int32? {
        guard !process.isRunning else { return nil }
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    /// With `.log`, the log's path.
    public var logFile: URL? { scratch == nil ? outputFile : nil }

    /// What the child has written to standard output so far; with `.log`, the whole log.
    public var standardOutput: String { String(decoding: outputData, as: UTF8.self) }

    /// What the child has written to standard error so far; empty when it is not kept apart.
    public var standardError: String {
        errorFile.flatMap { try? Data(contentsOf: $0) }.map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    var outputData: Data { (try? Data(contentsOf: outputFile)) ?? Data() }

    /// The last lines the child wrote, for failure messages: of its log, or of standard error and then of
    /// standard output when those are kept apart.
    public func logTail(lines: Int = 20) -> String {
        func tail(_ text: String) -> String { text.split(separator: "\n").suffix(lines).joined(separator: "\n") }
        guard errorFile != nil else { return tail(standardOutput) }
        return [("standard error", standardError), ("standard output", standardOutput)]
            .filter { !$0.1.isEmpty }
            .map { "\($0.0):\n\(tail($0.1))" }
            .joined(separator: "\n")
    }

    /// Sends `signal` (SIGTERM, SIGKILL, …) while the process runs; once it has ended, its number may
    /// already belong to another process.
    public func signal(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits for the process to end; its exit status, or nil when it still runs after `timeout`.
    public func waitForExit(timeout: Duration) async throws -> Int32? {
        guard try await poll(timeout: timeout, every: .milliseconds(20), { !self.process.isRunning }) else { return nil }
        return exitStatus
    }

    /// SIGTERM, as an orchestrator stops a service, then SIGKILL when it still runs after `grace` (or when
    /// the waiting task is cancelled). The exit status, or nil when it had to be killed.
    ///
    /// Foundation's `Process` leaves the child the signal mask of the thread that started it, and on Linux
    /// a Swift concurrency thread blocks SIGTERM: our services and workers stop on it all the same (the
    /// end-to-end tests check that they exit 0), but a plain tool started from a task waits out `grace`.
    @discardableResult
    public func stop(grace: Duration = .seconds(10)) async -> Int32? {
        signal(SIGTERM)
        let ended = (try? await poll(timeout: grace, every: .milliseconds(20), { !self.process.isRunning })) ?? false
        guard ended else {
            signal(SIGKILL)
            return nil
        }
        return exitStatus
    }

    /// Throws, with the exit status and the output's last lines, when the process has ended: for a caller
    /// that counts on it running (a benchmark's workers).
    public func requireRunning() throws {
        if let status = exitStatus { throw failure("exited with status \(status)") }
    }

    /// An error naming the process and what happened, with where its log is and its last lines.
    func failure(_ what: String) -> ChildProcessError {
        var text = "\(name) (pid \(pid)) \(what)"
        if let logFile { text += "; its log: \(logFile.path)" }
        let tail = logTail()
        if !tail.isEmpty { text += "\n" + tail }
        return ChildProcessError(text)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }
}
