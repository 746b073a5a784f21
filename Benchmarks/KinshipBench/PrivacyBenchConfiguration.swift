import Foundation
import KinshipCore
import KinshipDatabase

/// What the privacy benchmark loads and measures, from `KINSHIP_BENCH_*` variables.
struct PrivacyBenchConfiguration: Sendable {
    var database: DatabaseURL
    /// The same, as given, for the services' environment.
    var databaseURLText: String
    /// The demo shop loaded: this many customers over this many days, ending yesterday, from this seed.
    var customers: Int
    var days: Int
    var seed: Int
    /// Customers erased, all asked at once (each a `POST /v1/privacy/requests`), and how long to wait for them.
    var erasures: Int
    var erasureTimeoutSeconds: Int
    /// Customers suppressed before the ingestion measure, so that suppression is in force during it.
    var suppressions: Int
    /// Events of the ingestion measure, sent in `ingestionRounds` alternating rounds to the shop's
    /// workspace (its stored refusals and suppressions in force) and to a workspace with none.
    var ingestionEvents: Int
    var ingestionRounds: Int
    /// Where the release-built services are (scripts/bench passes its bin folder).
    var binDirectory: URL
    /// The bench cluster's postmaster, for Postgres's share of the CPU; without it that share is not reported.
    var postgresPID: Int32?

    init(_ environment: Environment) throws {
        databaseURLText = try environment.required("KINSHIP_DATABASE_URL")
        database = try DatabaseURL(parsing: databaseURLText)
        customers = try environment.integer("KINSHIP_BENCH_CUSTOMERS", default: 10_000, range: 100...10_000_000)
        days = try environment.integer("KINSHIP_BENCH_DAYS", default: 90, range: 7...3650)
        seed = try environment.integer("KINSHIP_BENCH_SEED", default: 1, range: 0...Int(Int32.max))
        erasures = try environment.integer("KINSHIP_BENCH_ERASURES", default: 1_000, range: 1...1_000_000)
        erasureTimeoutSeconds = try environment.integer("KINSHIP_BENCH_ERASURE_TIMEOUT_SECONDS", default: 1_800, range: 10...86_400)
        suppressions = try environment.integer("KINSHIP_BENCH_SUPPRESSIONS", default: 100, range: 0...1_000_000)
        ingestionEvents = try environment.integer("KINSHIP_BENCH_INGESTION_EVENTS", default: 200_000, range: 1_000...10_000_000)
        ingestionRounds = try environment.integer("KINSHIP_BENCH_INGESTION_ROUNDS", default: 4, range: 1...100)
        let ownFolder = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).deletingLastPathComponent()
        binDirectory = environment.optional("KINSHIP_BENCH_BIN_DIR").map { URL(fileURLWithPath: $0) } ?? ownFolder
        postgresPID = environment.optional("KINSHIP_BENCH_PG_PID") == nil
            ? nil : Int32(try environment.integer("KINSHIP_BENCH_PG_PID", default: 1, range: 1...Int(Int32.max)))
        guard erasures + suppressions <= customers / 2 else {
            throw ConfigurationError(variable: "KINSHIP_BENCH_ERASURES", problem: "with KINSHIP_BENCH_SUPPRESSIONS must name at most half the customers (\(customers / 2))")
        }
    }
}
