import Foundation
import IdentityService
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import NIOCore
import PostgresNIO
import ReportingService
import ServiceLifecycle
import Synchronization

/// How far the rollups stayed behind events committed at a steady rate, through identity and reporting's
/// worker.
struct RollupLagMeasure: Sendable {
    let targetRate: Int
    let achievedRate: Double
    let events: Int
    /// Seconds the rollups were behind, sampled while the load ran: at each sample, the age of the oldest
    /// committed event whose rollup row did not have its profile yet (0 when none was missing).
    let lagP50: Double
    let lagP99: Double
    let lagMax: Double
    let samples: Int
    /// From the last commit until every event's row had its profile.
    let catchUp: Double
    /// Events whose row never got its profile.
    let missing: Int
}

extension ReportingBenchmark {
    /// Set-up: rolls up the loaded shop, which the loader stored without outbox messages, as a repair would.
    func rollUpLoadedShop(_ workspace: DemoShopWorkspace, _ database: PostgresClient) async throws -> (rows: Int, duration: Duration) {
        progress("set-up: rolling up the loaded shop (not measured)")
        let start = ContinuousClock.now
        let writer = ReportRollupWriter(logger: logger)
        let rows = try await database.transaction(logger: logger) { connection in
            try await writer.rollAll(in: workspace.workspaceID, on: connection)
        }
        // As a service that has run: its first start would roll the whole shop up again, beside what is measured.
        try await ReportRollupWorker.pinOutbox(on: database, logger: logger)
        try await database.query("VACUUM (ANALYZE) report_events", logger: logger)
        let took = ContinuousClock.now - start
        progress(String(format: "  %d rows in %.1f s", rows, took.inMilliseconds / 1000))
        return (rows, took)
    }

    /// With identity's consumer and reporting's rollup consumers running in this process (a pool each, the
    /// options their processes would take), commits `realtimeRate` events per second for `realtimeSeconds`,
    /// open loop, as ingestion stores them; samples every 250 ms how many have a rollup row with their
    /// profile, and waits until all have.
    func measureRollupLag(_ workspace: DemoShopWorkspace, _ database: PostgresClient) async throws -> RollupLagMeasure {
        let (rate, w, logger) = (configuration.realtimeRate, workspace.workspaceID, self.logger)
        let total = rate * configuration.realtimeSeconds
        progress("rollup lag: identity's and reporting's consumers in this process; \(total) events at \(rate) events/s")
        let ingestion = workspace.ingestion
        let loadStart = Date()
        return try await withRollupConsumers(workspace) {
            let sampler = RollupSampler()
            let load = try await withThrowingTaskGroup(of: SteadyCommits?.self) { group in
                group.addTask {
                    try await commitSteadily(total: total, rate: rate, writers: IdentityBenchmark.lagWriters) { events in
                        let time = Timestamp.format(Date())
                        var rows = ByteBuffer()
                        let drafts = try events.map { k in try ingestion.store(RealtimeProbe.event(k, time: time), into: &rows) }
                        try await ingestion.write(rows: rows, drafts: drafts, database, logger: logger)
                        sampler.committed(events.count, at: Date().timeIntervalSince1970)
                    }
                }
                group.addTask {
                    while !sampler.loadEnded {
                        let rolled = try await Self.rolledProbes(w, since: loadStart, database, logger: logger)
                        sampler.sample(rolled: rolled, at: Date().timeIntervalSince1970)
                        try await Task.sleep(for: .milliseconds(250))
                    }
                    return nil
                }
                let load = try await group.next()!!
                sampler.endLoad()
                try await group.waitForAll()
                return load
            }
            var rolled = 0
            var lastChange = ContinuousClock.now
            while rolled < total, ContinuousClock.now - lastChange < .seconds(configuration.stallSeconds) {
                let now = try await Self.rolledProbes(w, since: loadStart, database, logger: logger)
                if now > rolled { (rolled, lastChange) = (now, .now) }
                if rolled < total { try await Task.sleep(for: .milliseconds(100)) }
            }
            let lags = sampler.lags.sorted()
            let lastCommit = load.committed.max() ?? 0
            let measure = RollupLagMeasure(
                targetRate: rate, achievedRate: load.achievedRate, events: total,
                lagP50: percentile(0.5, of: lags), lagP99: percentile(0.99, of: lags), lagMax: lags.last ?? 0, samples: lags.count,
                catchUp: max(0, Date().timeIntervalSince1970 - lastCommit), missing: total - rolled
            )
            progress(String(format: "  behind p50 %.2f s, p99 %.2f s, max %.2f s at %.0f events/s; caught up %.2f s after the last commit; %d missing",
                            measure.lagP50, measure.lagP99, measure.lagMax, measure.achievedRate, measure.catchUp, measure.missing))
            return measure
        }
    }

    /// The probe events rolled up with their profile.
    static func rolledProbes(_ workspaceID: UUID, since: Date, _ database: PostgresClient, logger: Logger) async throws -> Int {
        try await database.query(
            """
            SELECT count(*)::int FROM report_events
            WHERE workspace_id = \(workspaceID) AND received_at >= \(since) - interval '1 minute'
              AND starts_with(message_id, \(RealtimeProbe.measuredPrefix)) AND profile_id IS NOT NULL
            """,
            logger: logger
        ).decode(Int.self).collectAll().first ?? 0
    }

    /// Runs identity's consumer of `events` and reporting's rollup consumers while `body` runs, each service
    /// on a pool of its own with its process's options (`KINSHIP_IDENTITY_CONSUMER_*`, `KINSHIP_REPORTING_CONSUMER_*`).
    func withRollupConsumers<T: Sendable>(_ workspace: DemoShopWorkspace, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let (logger, keyring) = (self.logger, workspace.keyring)
        let identityOptions = try OutboxConsumerOptions.load(.identity)
        let reportingOptions = try OutboxConsumerOptions.load(.reporting)
        return try await configuration.database.withClient(logger: poolLogger) { identityPool in
            try await configuration.database.withClient(logger: poolLogger) { reportingPool in
                let resolver = EventResolver(directory: WorkspaceKeyCache(database: identityPool, keyring: keyring, logger: logger), logger: logger)
                let consumers = [resolver.consumer(database: identityPool, options: identityOptions)]
                    + ReportRollupConsumer(logger: logger).consumers(database: reportingPool, logger: logger, options: reportingOptions)
                return try await runningServices(consumers.map { $0 as any Service }, logger: logger, until: body)
            }
        }
    }
}

/// The lag samples: each is the age of the oldest committed event not rolled up yet, taking events to be
/// rolled up in commit order (the count rolled up is compared with the commits so far).
private final class RollupSampler: Sendable {
    private struct State {
        var commits: [(count: Int, at: Double)] = []
        var lags: [Double] = []
        var loadEnded = false
    }

    private let state = Mutex(State())

    func committed(_ count: Int, at time: Double) {
        state.withLock { $0.commits.append((count, time)) }
    }

    func sample(rolled: Int, at now: Double) {
        state.withLock { state in
            var seen = 0
            for commit in state.commits.sorted(by: { $0.at < $1.at }) {
                seen += commit.count
                if seen > rolled {
                    state.lags.append(max(0, now - commit.at))
                    return
                }
            }
            state.lags.append(0)
        }
    }

    func endLoad() { state.withLock { $0.loadEnded = true } }
    var loadEnded: Bool { state.withLock { $0.loadEnded } }
    var lags: [Double] { state.withLock { $0.lags } }
}
