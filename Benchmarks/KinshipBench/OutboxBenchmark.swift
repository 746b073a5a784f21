import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import Logging
import PostgresNIO

/// `kinship-bench outbox`: producing throughput against a plain `INSERT` of the same rows, consuming
/// throughput with one worker and with two worker processes, and commit-to-handler latency under a fixed load.
struct OutboxBenchmark: Sendable {
    static let topic = OutboxTopic("bench.outbox", partitions: 8)
    /// The table the reference `INSERT` writes: a copy of `outbox` (columns, defaults, indexes), nothing more.
    static let referenceTable = "bench_insert_reference"

    let configuration: OutboxBenchConfiguration
    let logger: Logger
    /// Makes this run's consumer group names distinct from any earlier run's.
    let runID = UUID().uuidString.prefix(8).lowercased()
    let workspaceID = UUID()

    init(configuration: OutboxBenchConfiguration) {
        self.configuration = configuration
        var logger = Logger(label: "kinship.bench.outbox")
        logger.logLevel = .warning
        self.logger = logger
    }

    func run() async throws {
        let c = configuration
        progress("outbox benchmark: \(c.messages) messages of \(c.payloadBytes) B, \(c.producers) producers × \(c.transactionSize) per transaction")
        let result = try await c.database.withClient(logger: poolLogger) { database in
            try await MigrationRunner().migrate(database, logger: logger)
            try await database.query(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(Self.referenceTable)"), logger: logger)
            try await database.query(PostgresQuery(unsafeSQL: "CREATE TABLE \(Self.referenceTable) (LIKE outbox INCLUDING ALL)"), logger: logger)

            let (reference, produce) = try await measureProducing(database)
            let oneWorker = try await measureOneWorker(database)
            let twoWorkers = try await measureTwoWorkers(database)
            let latency = try await measureLatency(database)
            return OutboxBenchResult(
                configuration: c, produced: produce, reference: reference,
                oneWorker: oneWorker, twoWorkers: twoWorkers, latency: latency
            )
        }
        print(result.table)
        print(try result.jsonLine())
        if !result.problems.isEmpty {
            throw BenchFailure("the consumer misdelivered messages, so its figures are not valid: \(result.problems.joined(separator: "; "))")
        }
    }

    /// Empties the bus, so each measure starts from the same state.
    func resetOutbox(_ database: PostgresClient) async throws {
        try await database.query(
            "TRUNCATE outbox, outbox_cursors, outbox_leases, outbox_workers, outbox_dead_letters",
            logger: logger
        )
    }

    /// Only the consumer bookkeeping: a new group reads the same messages from the start.
    func resetConsumers(_ database: PostgresClient) async throws {
        try await database.query("TRUNCATE outbox_cursors, outbox_leases, outbox_workers, outbox_dead_letters", logger: logger)
    }

    /// Writes out what earlier measures dirtied, so the next one does not pay for it (scripts/bench grants
    /// `pg_checkpoint`; without it the measures still run, just noisier).
    func checkpoint(_ database: PostgresClient) async {
        do {
            try await database.query("CHECKPOINT", logger: logger)
        } catch {
            progress("  (no CHECKPOINT between measures: \(String(reflecting: error)))")
        }
    }

    func count(_ table: String, _ database: PostgresClient) async throws -> Int {
        try await database.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table)"), logger: logger)
            .decode(Int.self).first(where: { _ in true }) ?? 0
    }

    static func key(_ n: Int) -> String { "m\(n)" }

    /// A JSON object of exactly `bytes` bytes (for any `bytes` above its fixed part).
    static func payload(_ n: Int, bytes: Int) -> String {
        let head = #"{"type":"bench","n":\#(n),"pad":""#
        let tail = #""}"#
        // Padding from bytes: String(repeating:count:) appends a string per character, a cost the
        // producer would otherwise pay on the benchmark's cores for every message.
        let padding = String(decoding: [UInt8](repeating: UInt8(ascii: "x"), count: max(0, bytes - head.utf8.count - tail.utf8.count)), as: UTF8.self)
        return head + padding + tail
    }
}
