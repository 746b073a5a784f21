import AsyncHTTPClient
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A service executable run as a child process on a loopback port, its output kept in a log file.
struct ServiceProcess {
    let name: String
    let process: Process
    let host = "127.0.0.1"
    let url: String
    let log: URL

    var pid: Int32 { process.processIdentifier }

    /// Starts `binDirectory/name` with this process's environment, minus its `KINSHIP_*` variables, plus `environment`.
    init(_ name: String, binDirectory: URL, port: Int, environment: [String: String]) throws {
        self.name = name
        url = "http://\(host):\(port)"
        log = FileManager.default.temporaryDirectory.appendingPathComponent("kinship-bench-\(name)-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        process = Process()
        process.executableURL = binDirectory.appendingPathComponent(name)
        var inherited = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("KINSHIP_") }
        inherited.merge(environment) { $1 }
        process.environment = inherited
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    /// Polls `/readyz` until it answers 200; fails when the process exits or 30 s pass first.
    func waitUntilReady(_ client: HTTPClient) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw BenchFailure("\(name) exited with status \(process.terminationStatus) before it was ready; its log: \(log.path)\n\(logTail())")
            }
            if let response = try? await client.execute(HTTPClientRequest(url: url + "/readyz"), timeout: .seconds(2)) {
                _ = try? await response.body.collect(upTo: 1 << 16)
                if response.status == .ok { return }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchFailure("\(name) was not ready within 30 s; its log: \(log.path)\n\(logTail())")
    }

    /// SIGTERM, as an orchestrator stops it; the exit status, or nil when it was still running 15 s later
    /// (it is then killed). A signal's death is reported as 128 + the signal, as shells do.
    func stop() async -> Int32? {
        guard process.isRunning else { return exitStatus }
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(15)
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        guard !process.isRunning else {
            kill(pid, SIGKILL)
            return nil
        }
        return exitStatus
    }

    private var exitStatus: Int32 {
        process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    /// The last lines of the service's output, for failure messages.
    func logTail(lines: Int = 20) -> String {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}

/// A loopback TCP port that was free a moment ago (the system picks it). The same as the tests' helper,
/// which lives in the test-support target the benchmark does not link.
func freePort() -> Int {
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
