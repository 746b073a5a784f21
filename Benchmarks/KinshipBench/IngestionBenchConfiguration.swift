import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox

/// What the ingestion benchmark measures, from `KINSHIP_*` variables; the defaults are the full run, and
/// smaller counts make a quick one (`KINSHIP_BENCH_EVENTS=20000 KINSHIP_BENCH_LATENCY_SECONDS=3`).
struct IngestionBenchConfiguration: Sendable {
    var database: DatabaseURL
    /// The same, as given, for the service's environment.
    var databaseURLText: String
    /// Events sent with `POST /v1/batch` in the measure (and again, untimed, in the warm-up before it).
    var events: Int
    var warmUpEvents: Int
    /// The batch measure's rounds: its events in this many equal loads, each between two reference
    /// `COPY`s, so the reference follows the machine's speed as it drifts during the measure.
    var rounds: Int
    /// Events per batch request, each of this many bytes of JSON.
    var batchSize: Int
    var eventBytes: Int
    /// Batch requests in flight at once, each on its own connection.
    var concurrency: Int
    /// Connections loading the reference `COPY`, each one `COPY` of its share of the rows.
    var copyConnections: Int
    /// The latency measure's fixed load of single `POST /v1/track` requests per second, and its length.
    var latencyRate: Int
    var latencySeconds: Int
    /// Where the release-built `ingestion` executable is (scripts/bench passes its bin folder).
    var binDirectory: URL
    /// The bench cluster's postmaster, for Postgres's share of the CPU; without it that share is not reported.
    var postgresPID: Int32?
    /// Passed on to the service when set (`KINSHIP_INGESTION_WRITERS`), for experiments.
    var serviceWriters: String?
    /// Stored consent refusals (and, when any, one suppressed identifier) of other people put in the
    /// workspace before the load, so the consent gate does its whole work on every message (the token of
    /// each identifier, looked up) without withholding any of the benchmark's own.
    var consentRefusals: Int

    init(_ environment: Environment) throws {
        databaseURLText = try environment.required("KINSHIP_DATABASE_URL")
        database = try DatabaseURL(parsing: databaseURLText)
        events = try environment.integer("KINSHIP_BENCH_EVENTS", default: 200_000, range: 1...10_000_000)
        warmUpEvents = try environment.integer("KINSHIP_BENCH_WARMUP_EVENTS", default: events, range: 0...10_000_000)
        rounds = try environment.integer("KINSHIP_BENCH_ROUNDS", default: 4, range: 1...100)
        consentRefusals = try environment.integer("KINSHIP_BENCH_CONSENT_REFUSALS", default: 10_000, range: 0...10_000_000)
        batchSize = try environment.integer("KINSHIP_BENCH_BATCH_SIZE", default: 100, range: 1...1000)
        eventBytes = try environment.integer("KINSHIP_BENCH_EVENT_BYTES", default: 400, range: 400...30_000)
        concurrency = try environment.integer("KINSHIP_BENCH_CONCURRENCY", default: 32, range: 1...1024)
        copyConnections = try environment.integer("KINSHIP_BENCH_COPY_CONNECTIONS", default: 1, range: 1...16)
        latencyRate = try environment.integer("KINSHIP_BENCH_LATENCY_RATE", default: 1000, range: 1...100_000)
        latencySeconds = try environment.integer("KINSHIP_BENCH_LATENCY_SECONDS", default: 10, range: 2...3600)
        let ownFolder = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).deletingLastPathComponent()
        binDirectory = environment.optional("KINSHIP_BENCH_BIN_DIR").map { URL(fileURLWithPath: $0) } ?? ownFolder
        postgresPID = environment.optional("KINSHIP_BENCH_PG_PID") == nil
            ? nil : Int32(try environment.integer("KINSHIP_BENCH_PG_PID", default: 1, range: 1...Int(Int32.max)))
        serviceWriters = environment.optional("KINSHIP_INGESTION_WRITERS")
        guard events >= rounds else {
            throw ConfigurationError(variable: "KINSHIP_BENCH_ROUNDS", problem: "must not exceed KINSHIP_BENCH_EVENTS (\(events))")
        }
        guard batchSize * eventBytes < 480 * 1024 else {
            throw ConfigurationError(
                variable: "KINSHIP_BENCH_BATCH_SIZE", problem: "times KINSHIP_BENCH_EVENT_BYTES must stay under ingestion's 500 KB per request"
            )
        }
    }
}
