import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One of the package's built executables, run as a real process with its output in temporary files.
public final class ExecutableProcess: @unchecked Sendable {
    public let name: String
    let process = Process()
    /// A temporary folder for the process's output, removed with this object.
    let scratch: URL
    let outputURL: URL
    let errorURL: URL

    /// The folder holding the built executables: `KINSHIP_BIN_DIR` (set by scripts/test), else `.build/debug`.
    public static var binDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["KINSHIP_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug")
    }

    public init(_ name: String, arguments: [String] = [], environment: [String: String]) throws {
        self.name = name
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("kinship-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        outputURL = scratch.appendingPathComponent("stdout")
        errorURL = scratch.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        process.executableURL = Self.binDirectory.appendingPathComponent(name)
        process.arguments = arguments
        var inherited = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("KINSHIP_") }
        inherited.merge(environment) { $1 }
        process.environment = inherited
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }
    public var standardOutput: String { (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "" }
    public var standardError: String { (try? String(contentsOf: errorURL, encoding: .utf8)) ?? "" }

    public func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// The exit status, or nil when the process is still running after `timeout`.
    public func waitForExit(timeout: Duration) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { return nil }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    /// Runs to completion (for CLI commands) and returns the exit status and output.
    public static func run(_ name: String, _ arguments: [String], environment: [String: String], timeout: Duration = .seconds(60)) async throws -> (status: Int32, output: String, error: String) {
        let process = try ExecutableProcess(name, arguments: arguments, environment: environment)
        guard let status = try await process.waitForExit(timeout: timeout) else {
            process.signal(SIGKILL)
            throw CancellationError()
        }
        return (status, process.standardOutput, process.standardError)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: scratch)
    }
}

/// A TCP port that was free a moment ago (the OS picks it).
public func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
