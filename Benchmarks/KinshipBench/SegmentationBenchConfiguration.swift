import Foundation
import KinshipCore
import KinshipDatabase

/// What the segmentation benchmark loads and measures, from `KINSHIP_BENCH_*` variables.
struct SegmentationBenchConfiguration: Sendable {
    var database: DatabaseURL
    /// The demo shop loaded: this many customers over this many days, ending yesterday, from this seed.
    var customers: Int
    var days: Int
    var seed: Int
    /// Profiles per evaluation transaction, as one worker's batch.
    var evaluationBatch: Int
    /// Previews timed, cycling through the segments, and the sample each asks for.
    var previews: Int
    var previewSample: Int
    /// The real-time measure: events per second through identity and segmentation, for this many seconds.
    var realtimeRate: Int
    var realtimeSeconds: Int
    /// The time-driven measure: profiles whose exit falls due during the run, at moments spread evenly over
    /// this many seconds.
    var dueProfiles: Int
    var dueSpreadSeconds: Int
    /// A real-time or time-driven measure stops waiting when nothing has happened for this long.
    var stallSeconds: Int
    /// The bench cluster's postmaster, for Postgres's share of the CPU; without it that share is not reported.
    var postgresPID: Int32?

    init(_ environment: Environment) throws {
        database = try DatabaseURL(parsing: try environment.required("KINSHIP_DATABASE_URL"))
        customers = try environment.integer("KINSHIP_BENCH_CUSTOMERS", default: 10_000, range: 100...10_000_000)
        days = try environment.integer("KINSHIP_BENCH_DAYS", default: 90, range: 7...3650)
        seed = try environment.integer("KINSHIP_BENCH_SEED", default: 1, range: 0...Int(Int32.max))
        evaluationBatch = try environment.integer("KINSHIP_BENCH_EVALUATION_BATCH", default: 200, range: 1...10_000)
        previews = try environment.integer("KINSHIP_BENCH_PREVIEWS", default: 100, range: 1...100_000)
        previewSample = try environment.integer("KINSHIP_BENCH_PREVIEW_SAMPLE", default: 10, range: 0...100)
        realtimeRate = try environment.integer("KINSHIP_BENCH_REALTIME_RATE", default: 2000, range: 1...100_000)
        realtimeSeconds = try environment.integer("KINSHIP_BENCH_REALTIME_SECONDS", default: 30, range: 2...3600)
        dueProfiles = try environment.integer("KINSHIP_BENCH_DUE_PROFILES", default: 100_000, range: 1...10_000_000)
        dueSpreadSeconds = try environment.integer("KINSHIP_BENCH_DUE_SPREAD_SECONDS", default: 60, range: 0...3600)
        stallSeconds = try environment.integer("KINSHIP_BENCH_STALL_SECONDS", default: 120, range: 10...3600)
        postgresPID = environment.optional("KINSHIP_BENCH_PG_PID") == nil
            ? nil : Int32(try environment.integer("KINSHIP_BENCH_PG_PID", default: 1, range: 1...Int(Int32.max)))
    }
}
