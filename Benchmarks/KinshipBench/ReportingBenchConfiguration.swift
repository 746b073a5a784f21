import Foundation
import KinshipCore
import KinshipDatabase

/// What the reporting benchmark loads and measures, from `KINSHIP_BENCH_*` variables.
struct ReportingBenchConfiguration: Sendable {
    var databaseURLText: String
    var database: DatabaseURL
    /// The demo shop loaded: this many customers over this many days, ending yesterday, from this seed.
    var customers: Int
    var days: Int
    var seed: Int
    /// Runs of each report, one after another on one connection.
    var reportRuns: Int
    /// A report stops being repeated once its runs have taken this long (it runs at least once), and a run
    /// is cancelled (`statement_timeout`) after the timeout: a report far from its goal must not hold the
    /// benchmark for hours.
    var reportBudgetSeconds: Int
    var reportTimeoutSeconds: Int
    /// Profiles whose newest events are read, one after another, as the profile page reads them.
    var profileLookups: Int
    /// The rollup lag measure: events per second through identity and reporting's worker, for this long; a
    /// wait in which nothing changed for `stallSeconds` gives up.
    var realtimeRate: Int
    var realtimeSeconds: Int
    var stallSeconds: Int
    /// Fetches of each dashboard page, one after another, through the release services in `binDirectory`.
    var pageRuns: Int
    /// `GET /v1/profiles/{id}` through the same services: this many a second for this long.
    var profileRate: Int
    var profileSeconds: Int
    /// The same load first, untimed, so the figure is of a service already serving it.
    var profileWarmUpSeconds: Int
    var binDirectory: URL
    /// The bench cluster's postmaster, for Postgres's share of the CPU; without it that share is not reported.
    var postgresPID: Int32?

    init(_ environment: Environment) throws {
        databaseURLText = try environment.required("KINSHIP_DATABASE_URL")
        database = try DatabaseURL(parsing: databaseURLText)
        customers = try environment.integer("KINSHIP_BENCH_CUSTOMERS", default: 10_000, range: 100...10_000_000)
        days = try environment.integer("KINSHIP_BENCH_DAYS", default: 90, range: 7...3650)
        seed = try environment.integer("KINSHIP_BENCH_SEED", default: 1, range: 0...Int(Int32.max))
        reportRuns = try environment.integer("KINSHIP_BENCH_REPORT_RUNS", default: 10, range: 1...1000)
        reportBudgetSeconds = try environment.integer("KINSHIP_BENCH_REPORT_BUDGET_SECONDS", default: 60, range: 1...86_400)
        reportTimeoutSeconds = try environment.integer("KINSHIP_BENCH_REPORT_TIMEOUT_SECONDS", default: 120, range: 1...86_400)
        profileLookups = try environment.integer("KINSHIP_BENCH_PROFILE_LOOKUPS", default: 200, range: 1...100_000)
        realtimeRate = try environment.integer("KINSHIP_BENCH_REALTIME_RATE", default: 2000, range: 1...1_000_000)
        realtimeSeconds = try environment.integer("KINSHIP_BENCH_REALTIME_SECONDS", default: 30, range: 1...3600)
        stallSeconds = try environment.integer("KINSHIP_BENCH_STALL_SECONDS", default: 120, range: 1...86_400)
        pageRuns = try environment.integer("KINSHIP_BENCH_PAGE_RUNS", default: 5, range: 1...1000)
        profileRate = try environment.integer("KINSHIP_BENCH_PROFILE_RATE", default: 200, range: 1...100_000)
        profileSeconds = try environment.integer("KINSHIP_BENCH_PROFILE_SECONDS", default: 20, range: 1...3600)
        profileWarmUpSeconds = try environment.integer("KINSHIP_BENCH_PROFILE_WARMUP_SECONDS", default: 5, range: 0...3600)
        let ownFolder = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).deletingLastPathComponent()
        binDirectory = environment.optional("KINSHIP_BENCH_BIN_DIR").map { URL(fileURLWithPath: $0) } ?? ownFolder
        postgresPID = environment.optional("KINSHIP_BENCH_PG_PID") == nil
            ? nil : Int32(try environment.integer("KINSHIP_BENCH_PG_PID", default: 1, range: 1...Int(Int32.max)))
    }
}
