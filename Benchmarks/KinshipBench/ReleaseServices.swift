import Foundation
import KinshipChildProcess
import KinshipCore

/// Release services started as child processes on free ports, each ready (`/readyz`) before the next starts,
/// for a measure that goes through their HTTP; stopped (SIGTERM, then SIGKILL after 15 s) after it, in the
/// reverse order. A service that fails prints its last log lines.
struct ReleaseServices: Sendable {
    let names: [String]
    let binDirectory: URL
    let databaseURL: String
    let masterKey: Data

    /// Runs `body` with each service's base URL by name.
    func run<T: Sendable>(_ body: @Sendable ([String: String]) async throws -> T) async throws -> T {
        var environment = [
            "KINSHIP_DATABASE_URL": databaseURL,
            "KINSHIP_MASTER_KEY": masterKey.base64String,
            "KINSHIP_INTERNAL_TOKEN": "bench-" + UUID().uuidString,
            "KINSHIP_LOG_LEVEL": "warning",
            "KINSHIP_RATE_LIMIT_PER_SOURCE": "0",
        ]
        var urls: [String: String] = [:]
        for service in names {
            let port = freePort()
            environment["KINSHIP_\(service.uppercased())_PORT"] = String(port)
            environment["KINSHIP_\(service.uppercased())_URL"] = "http://127.0.0.1:\(port)"
            urls[service] = "http://127.0.0.1:\(port)"
        }
        var started: [ChildProcess] = []
        do {
            for service in names {
                let log = ChildProcess.temporaryLog("kinship-bench-\(service)")
                let process = try ChildProcess(service, in: binDirectory, environment: environment, output: .log(log))
                started.append(process)
                try await process.waitUntilReady(urls[service]! + "/readyz", timeout: .seconds(60))
                progress("\(service): pid \(process.pid) on \(urls[service]!), log \(log.path)")
            }
            let result = try await body(urls)
            for process in started.reversed() { await process.stop(grace: .seconds(15)) }
            return result
        } catch {
            for process in started.reversed() {
                progress("\(process.name)'s last log lines:\n\(process.logTail())")
                await process.stop(grace: .seconds(15))
            }
            throw error
        }
    }
}
