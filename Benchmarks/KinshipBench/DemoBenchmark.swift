import Foundation
import KinshipChildProcess
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import Logging
import PostgresNIO

/// `kinship-bench demo`: how fast the release `kinship demo` makes a shop. Files: `demo write` of a shop
/// and of one a tenth its size (their peak memory shows it is constant), against copying the written file
/// (the disk's own speed, measured in the same run). HTTP: `demo send` into the release `ingestion`,
/// against `kinship import` of the same shop's file (the bulk path), each through its own source.
struct DemoBenchmark: Sendable {
    let configuration: DemoBenchConfiguration
    let logger: Logger

    init(configuration: DemoBenchConfiguration) {
        self.configuration = configuration
        var logger = Logger(label: "kinship.bench.demo")
        logger.logLevel = .warning
        self.logger = logger
    }

    /// One run of a `kinship` command: how long, how much memory at most.
    struct Run: Sendable {
        let seconds: Double
        let peakResidentKB: Int
    }

    /// A written shop: its messages (retries included) and store rows, and the bytes of its files.
    struct Written: Sendable {
        let run: Run
        let events: Int
        let bytes: Int
    }

    func run() async throws {
        let c = configuration
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kinship-bench-demo-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        progress("demo write: \(c.customers / 10) customers, then \(c.customers), \(DemoBenchConfiguration.days) days")
        let small = try await write(customers: c.customers / 10, into: folder.appendingPathComponent("small"))
        let large = try await write(customers: c.customers, into: folder.appendingPathComponent("large"))
        progress("copying events.ndjson (the reference)")
        let copySeconds = try copy(folder.appendingPathComponent("large/events.ndjson"), to: folder.appendingPathComponent("copy.ndjson"))

        progress("demo send: \(c.sendCustomers) customers through POST /v1/batch, the pixel and /v1/import")
        let sendShop = try await write(customers: c.sendCustomers, into: folder.appendingPathComponent("send"))
        let http = try await sendAndImport(shop: folder.appendingPathComponent("send"))

        let result = DemoBenchResult(
            configuration: c, small: small, large: large, copySeconds: copySeconds, sendShop: sendShop, http: http
        )
        print(result.table)
        print(try result.jsonLine())
        if !result.problems.isEmpty { throw BenchFailure("the figures are not valid: \(result.problems.joined(separator: "; "))") }
    }

    private func write(customers: Int, into folder: URL) async throws -> Written {
        let arguments = ["demo", "write", "--out", folder.path] + configuration.shopArguments(customers: customers)
        let run = try await kinship(arguments, environment: [:])
        let events = try lineCount(folder.appendingPathComponent("events.ndjson")) + lineCount(folder.appendingPathComponent("pos.csv")) - 1
        let bytes = try [folder.appendingPathComponent("events.ndjson"), folder.appendingPathComponent("pos.csv")]
            .map { try FileManager.default.attributesOfItem(atPath: $0.path)[.size] as? Int ?? 0 }.reduce(0, +)
        return Written(run: run, events: events, bytes: bytes)
    }

    /// Runs `kinship` to its end, sampling its memory.
    func kinship(_ arguments: [String], environment: [String: String], timeout: Duration = .seconds(3600)) async throws -> Run {
        let started = ContinuousClock.now
        let process = try ChildProcess("kinship", in: configuration.binDirectory, arguments: arguments, environment: environment)
        let (status, usage) = try await observing([process.pid], postmaster: nil) { try await process.waitForExit(timeout: timeout) }
        guard status == 0 else {
            throw BenchFailure("kinship \(arguments.prefix(2).joined(separator: " ")) failed (\(status.map(String.init) ?? "timed out")): \(process.standardError.suffix(2000))")
        }
        return Run(seconds: (ContinuousClock.now - started).inMilliseconds / 1000, peakResidentKB: usage.peakResidentKB)
    }

    private func lineCount(_ file: URL) throws -> Int {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var lines = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            lines += chunk.reduce(0) { $1 == 10 ? $0 + 1 : $0 }
        }
        return lines
    }

    /// Seconds to copy `source` to `target` in 1 MB reads and writes, into the page cache as `demo write`
    /// writes (neither waits for the disk).
    private func copy(_ source: URL, to target: URL) throws -> Double {
        let started = ContinuousClock.now
        let input = try FileHandle(forReadingFrom: source)
        FileManager.default.createFile(atPath: target.path, contents: nil)
        let output = try FileHandle(forWritingTo: target)
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty { try output.write(contentsOf: chunk) }
        try input.close()
        try output.close()
        return (ContinuousClock.now - started).inMilliseconds / 1000
    }
}
