import AsyncHTTPClient
import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Starts the four built executables as processes against the test cluster.
struct ServiceProcessTests {
    func get(_ url: String) async throws -> (status: UInt, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (response.status.code, String(buffer: body))
    }

    /// On its own database: identity's consumer would otherwise take (and let the pruner delete) the bus
    /// messages other tests count in the shared one.
    @Test func fourServicesBecomeReadyServeMetricsAndStopCleanlyOnSIGTERM() async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url) { _ in }  // migrated
            try await startReadyAndStop(url)
        }
    }

    func startReadyAndStop(_ url: DatabaseURL) async throws {
        var running: [(ServiceName, ChildProcess, String)] = []
        for service in ServiceName.allCases {
            let port = freePort()
            var environment = TestKeys.environment(port: port, url: url)
            environment["KINSHIP_LOG_FORMAT"] = "json"
            environment["KINSHIP_LOG_LEVEL"] = "info"
            running.append((service, try ChildProcess(built: service.rawValue, environment: environment), "http://127.0.0.1:\(port)"))
        }
        for (service, process, url) in running {
            do {
                try await process.waitUntilReady("\(url)/readyz")
            } catch {
                // The other services are still checked, and stopped below.
                Issue.record(error, "\(service) not ready")
                continue
            }
            #expect(try await get("\(url)/healthz").status == 200)
            let metrics = try await get("\(url)/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.body.contains("hb_requests"), "\(service) metrics lack request counters: \(metrics.body.prefix(300))")
            let missing = try await get("\(url)/nope")
            #expect(missing.status == 404 && missing.body.contains(#""code":"not_found""#))
            #if os(Linux)
            // The services link jemalloc as their allocator (Package.swift): it must be what is loaded.
            let maps = (try? String(contentsOfFile: "/proc/\(process.pid)/maps", encoding: .utf8)) ?? ""
            #expect(maps.contains("libjemalloc"), "\(service) does not allocate with jemalloc")
            #endif
        }
        for (_, process, _) in running { process.signal(SIGTERM) }
        for (service, process, _) in running {
            let status = try await process.waitForExit(timeout: .seconds(10))
            #expect(status == 0, "\(service) exit status \(String(describing: status)) after SIGTERM; stderr: \(process.standardError)")
        }
        // Production logs are JSON lines.
        let firstLine = running[0].1.standardOutput.split(separator: "\n").first.map(String.init) ?? ""
        let object = try? JSONSerialization.jsonObject(with: Data(firstLine.utf8)) as? [String: Any]
        #expect(object?["level"] != nil && object?["msg"] != nil, "not a JSON log line: \(firstLine)")
    }

    @Test func aServiceWithBadConfigurationExitsNamingTheVariable() async throws {
        var environment = TestKeys.environment(port: freePort())
        environment["KINSHIP_MASTER_KEY"] = nil
        let missing = try await ChildProcess.run(built: "ingestion", [], environment: environment)
        #expect(missing.status == 78)
        #expect(missing.error.contains("KINSHIP_MASTER_KEY is required"), "stderr: \(missing.error)")

        environment = TestKeys.environment(port: freePort())
        environment["KINSHIP_DATABASE_URL"] = "http://nowhere"
        let malformed = try await ChildProcess.run(built: "reporting", [], environment: environment)
        #expect(malformed.status == 78)
        #expect(malformed.error.contains("KINSHIP_DATABASE_URL"), "stderr: \(malformed.error)")
    }
}
