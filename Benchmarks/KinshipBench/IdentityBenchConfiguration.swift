import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox

/// What the identity benchmark measures, from `KINSHIP_*` variables; the defaults are the full run, and
/// smaller counts make a quick one (`KINSHIP_BENCH_EVENTS=100000 KINSHIP_BENCH_PEOPLE=10000`).
struct IdentityBenchConfiguration: Sendable {
    var database: DatabaseURL
    /// The same, as given, for the services' environment.
    var databaseURLText: String
    /// The generated stream: this many people, this many events in all, made from this seed.
    var people: Int
    var events: Int
    var seed: Int
    /// Events per loading transaction (one `COPY` into `events`, one outbox append).
    var loadTransactionSize: Int
    /// The lag measure's fixed load of new events per second, and its length.
    var latencyRate: Int
    var latencySeconds: Int
    /// A resolution measure fails when no event was resolved for this long (the service is stuck).
    var stallSeconds: Int
    /// Where the release-built `identity` executable is (scripts/bench passes its bin folder).
    var binDirectory: URL
    /// The bench cluster's postmaster, for Postgres's share of the CPU; without it that share is not reported.
    var postgresPID: Int32?

    init(_ environment: Environment) throws {
        databaseURLText = try environment.required("KINSHIP_DATABASE_URL")
        database = try DatabaseURL(parsing: databaseURLText)
        people = try environment.integer("KINSHIP_BENCH_PEOPLE", default: 100_000, range: 1...10_000_000)
        events = try environment.integer("KINSHIP_BENCH_EVENTS", default: 1_000_000, range: 1...20_000_000)
        seed = try environment.integer("KINSHIP_BENCH_SEED", default: 1, range: 0...Int(Int32.max))
        loadTransactionSize = try environment.integer("KINSHIP_BENCH_LOAD_TRANSACTION_SIZE", default: 5000, range: 1...100_000)
        latencyRate = try environment.integer("KINSHIP_BENCH_LATENCY_RATE", default: 2000, range: 1...100_000)
        latencySeconds = try environment.integer("KINSHIP_BENCH_LATENCY_SECONDS", default: 20, range: 2...3600)
        stallSeconds = try environment.integer("KINSHIP_BENCH_STALL_SECONDS", default: 180, range: 10...86_400)
        let ownFolder = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).deletingLastPathComponent()
        binDirectory = environment.optional("KINSHIP_BENCH_BIN_DIR").map { URL(fileURLWithPath: $0) } ?? ownFolder
        postgresPID = environment.optional("KINSHIP_BENCH_PG_PID") == nil
            ? nil : Int32(try environment.integer("KINSHIP_BENCH_PG_PID", default: 1, range: 1...Int(Int32.max)))
    }
}
