import Foundation
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import Logging
import PostgresNIO
import SegmentationService

/// `kinship-bench segmentation`: the segmentation library over a demo shop loaded as ingestion and
/// identity would have left it. One worker's evaluation of every profile (computed traits, consent),
/// RFM scoring, the full recompute of 20 segments against the same conditions written by hand in SQL,
/// and previews' latency; the benchmark's own memory and how the CPU was shared. Then, with identity's
/// and segmentation's consumers in this process, the latency from an event's commit to its
/// `segment.entered` at a steady rate; and how late the due-time loop makes exits that time alone decides.
struct SegmentationBenchmark: Sendable {
    let configuration: SegmentationBenchConfiguration
    let logger: Logger
    /// Makes this run's workspace distinct from any earlier run's.
    let runID = UUID().uuidString.prefix(8).lowercased()
    let masterKey = Data((0..<32).map { _ in UInt8.random(in: .min ... .max) })

    init(configuration: SegmentationBenchConfiguration) {
        self.configuration = configuration
        var logger = Logger(label: "kinship.bench.segmentation")
        logger.logLevel = .warning
        self.logger = logger
    }

    func run() async throws {
        let keyring = try MasterKeyring(current: masterKey)
        let result = try await configuration.database.withClient(logger: poolLogger) { database in
            try await MigrationRunner().migrate(database, logger: logger)
            let workspace = try await DemoShopWorkspace.create(
                named: "segmentation-bench-\(runID)", keyring: keyring, database, logger: logger
            )
            let c = configuration
            let load = try await DemoShopLoader(customers: c.customers, days: c.days, seed: c.seed, logger: logger).load(workspace, database)
            await checkpoint(database)
            let directory = WorkspaceKeyCache(database: database, keyring: keyring, logger: logger)
            let (measures, usage) = try await observing([getpid()], postmaster: configuration.postgresPID) {
                try await measure(workspace, directory, database)
            }
            // After the library's measures, apart from their memory: these run identity's and segmentation's
            // consumers, or the due-time loop, in this process too.
            let realtime = try await measureRealtime(workspace, database)
            let lateness = try await measureLateness(workspace, directory, database)
            return SegmentationBenchResult(
                configuration: configuration, load: load, measures: measures, usage: usage, realtime: realtime, lateness: lateness
            )
        }
        print(result.table)
        print(try result.jsonLine())
        if !result.problems.isEmpty {
            throw BenchFailure("the figures are not valid: \(result.problems.joined(separator: "; "))")
        }
    }

    /// Every measure, in order, over the loaded shop: evaluation fills `segment_profiles`, which RFM scoring,
    /// the segments and the previews read.
    private func measure(_ workspace: DemoShopWorkspace, _ directory: WorkspaceKeyCache, _ database: PostgresClient) async throws -> SegmentationMeasures {
        let now = Date()
        let evaluation = try await measureEvaluation(workspace, directory, now: now, database)
        let reading = try await measureReading(workspace, database)
        let rfmStart = ContinuousClock.now
        let scored = try await RFMScoring(database: database, logger: logger).score(workspace: workspace.workspaceID)
        let rfm = ContinuousClock.now - rfmStart
        progress(String(format: "RFM scoring: %d profiles scored in %.2f s", scored, rfm.inMilliseconds / 1000))
        try await database.query("VACUUM (ANALYZE) segment_profiles", logger: logger)
        await checkpoint(database)
        let segments = try await measureSegments(workspace, now: now, database)
        let previews = try await measurePreviews(workspace, segments.stored, now: now, database)
        return SegmentationMeasures(evaluation: evaluation, reading: reading, rfm: rfm, rfmScored: scored, segments: segments, previews: previews)
    }

    /// Writes out what earlier steps dirtied, so the next measure does not pay for it.
    func checkpoint(_ database: PostgresClient) async {
        do {
            try await database.query("CHECKPOINT", logger: logger)
        } catch {
            progress("  (no CHECKPOINT between measures: \(String(reflecting: error)))")
        }
    }
}

/// Everything the segmentation benchmark measured, in the order it measured it.
struct SegmentationMeasures: Sendable {
    let evaluation: EvaluationMeasure
    let reading: ReadingMeasure
    let rfm: Duration
    let rfmScored: Int
    let segments: SegmentsMeasure
    let previews: PreviewMeasure
}
