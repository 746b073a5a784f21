import Foundation
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import Logging
import PostgresNIO
import ReportingService
import SegmentationService

/// `kinship-bench reporting`: the twelve reports of the reporting library over a demo shop's whole span,
/// each run several times on one connection, beside a reference (one pass over the period's resolved
/// events); then the profile page's events query for random profiles; then the dashboard's pages through the
/// release services; then how far the rollups stay behind
/// a steady load through identity and reporting's worker. The set-up loads the shop as ingestion and identity
/// leave it, has segmentation compute every profile's traits and RFM scores, which the `rfm` and
/// `demographics` reports read, and rolls the shop up as reporting's worker would have.
struct ReportingBenchmark: Sendable {
    let configuration: ReportingBenchConfiguration
    let logger: Logger
    /// Makes this run's workspace distinct from any earlier run's.
    let runID = UUID().uuidString.prefix(8).lowercased()
    let masterKey = Data((0..<32).map { _ in UInt8.random(in: .min ... .max) })

    init(configuration: ReportingBenchConfiguration) {
        self.configuration = configuration
        var logger = Logger(label: "kinship.bench.reporting")
        logger.logLevel = .warning
        self.logger = logger
    }

    func run() async throws {
        let keyring = try MasterKeyring(current: masterKey)
        let c = configuration
        let result = try await c.database.withClient(logger: poolLogger) { database in
            try await MigrationRunner().migrate(database, logger: logger)
            let workspace = try await DemoShopWorkspace.create(named: "reporting-bench-\(runID)", keyring: keyring, database, logger: logger)
            var loader = DemoShopLoader(customers: c.customers, days: c.days, seed: c.seed, logger: logger)
            loader.sampledUserIDs = 1
            let load = try await loader.load(workspace, database)
            let setUp = try await computeTraits(workspace, keyring, database)
            let rollup = try await rollUpLoadedShop(workspace, database)
            await checkpoint(database)
            let span = load.span
            let period = ReportPeriod(from: span.from, to: span.to)
            let (measures, usage) = try await observing([getpid()], postmaster: c.postgresPID) {
                try await measure(workspace, period, database)
            }
            let dashboard = try await measureDashboard(workspace, period, userID: load.userIDs.first, database)
            let lag = try await measureRollupLag(workspace, database)
            return ReportingBenchResult(
                configuration: c, load: load, setUp: setUp, rollup: rollup, period: period, measures: measures, usage: usage,
                dashboard: dashboard, lag: lag
            )
        }
        print(result.table)
        print(try result.jsonLine())
        if !result.problems.isEmpty {
            throw BenchFailure("the figures are not valid: \(result.problems.joined(separator: "; "))")
        }
    }

    /// Set-up, not measured: every profile evaluated by `ProfileEvaluator` (200 per transaction, as one
    /// worker's batch), then one RFM scoring, so `segment_profiles` holds what the reports read.
    func computeTraits(_ workspace: DemoShopWorkspace, _ keyring: MasterKeyring, _ database: PostgresClient) async throws -> TraitsSetUp {
        let w = workspace.workspaceID
        let ids = try await database.query(
            "SELECT id FROM profiles WHERE workspace_id = \(w) AND merged_into IS NULL ORDER BY id", logger: logger
        ).decode(UUID.self).collectAll()
        progress("set-up: evaluating \(ids.count) profiles and scoring RFM (not measured)")
        let evaluator = ProfileEvaluator(directory: WorkspaceKeyCache(database: database, keyring: keyring, logger: logger), logger: logger)
        let logger = self.logger
        let now = Date()
        let start = ContinuousClock.now
        var evaluated = 0
        for batch in stride(from: 0, to: ids.count, by: 200) {
            let named = Set(ids[batch..<min(batch + 200, ids.count)])
            evaluated += try await database.transaction(logger: logger) { connection in
                try await evaluator.evaluate(named, in: w, now: now, on: connection).evaluated
            }
        }
        guard evaluated == ids.count else { throw BenchFailure("the evaluator evaluated \(evaluated) of \(ids.count) profiles") }
        let scored = try await RFMScoring(database: database, logger: logger).score(workspace: w)
        try await database.query("VACUUM (ANALYZE) segment_profiles", logger: logger)
        let setUp = TraitsSetUp(evaluated: evaluated, rfmScored: scored, duration: .now - start)
        progress(String(format: "  %d profiles evaluated, %d scored by RFM, in %.1f s", evaluated, scored, setUp.duration.inMilliseconds / 1000))
        return setUp
    }

    /// Writes out what earlier steps dirtied, so the measures do not pay for it.
    func checkpoint(_ database: PostgresClient) async {
        do {
            try await database.query("CHECKPOINT", logger: logger)
        } catch {
            progress("  (no CHECKPOINT before the measures: \(String(reflecting: error)))")
        }
    }
}

/// What the set-up computed for the reports to read (not a measure).
struct TraitsSetUp: Sendable {
    let evaluated: Int
    let rfmScored: Int
    let duration: Duration
}
