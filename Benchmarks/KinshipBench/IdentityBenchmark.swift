import Foundation
import KinshipChildProcess
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import Logging
import PostgresNIO

/// `kinship-bench identity`: the release-built `identity` service as child processes, resolving a
/// generated stream of events stored as ingestion stores them. Events resolved per second with one
/// worker and with two, against a plain `INSERT` of the same events' profiles; the lag from an event's
/// commit to its `profile.*` message at a fixed rate; the service's CPU and memory, and Postgres's CPU.
struct IdentityBenchmark: Sendable {
    /// The identity service's consumer group (EventResolver.consumerGroup).
    static let consumerGroup = "identity"
    /// Message ids of the stream (`s-N`) and of the lag measure's events (`lag-N`).
    static let streamPrefix = "s-"
    static let lagPrefix = "lag-"

    let configuration: IdentityBenchConfiguration
    let logger: Logger
    /// Makes this run's workspace distinct from any earlier run's.
    let runID = UUID().uuidString.prefix(8).lowercased()
    /// The services' master key and internal token, made for this run.
    let masterKey = Data((0..<32).map { _ in UInt8.random(in: .min ... .max) })
    let internalToken = "bench-" + UUID().uuidString

    init(configuration: IdentityBenchConfiguration) {
        self.configuration = configuration
        var logger = Logger(label: "kinship.bench.identity")
        logger.logLevel = .warning
        self.logger = logger
    }

    func run() async throws {
        let c = configuration
        progress("identity benchmark: \(c.events) events over \(c.people) people (seed \(c.seed)); lag at \(c.latencyRate) events/s for \(c.latencySeconds) s")
        let generating = ContinuousClock.now
        let stream = IdentityStream(people: c.people, events: c.events, seed: UInt64(c.seed))
        progress("stream generated in \(String(format: "%.1f", (ContinuousClock.now - generating).inMilliseconds / 1000)) s: "
            + "\(stream.peopleWithEvents) people with events, \(stream.peopleLoggedIn) log in, \(stream.devicesUsed) devices used "
            + "(\(stream.sharedDevicesUsed) shared by two people); a correct resolver ends with \(stream.expectedProfiles) profiles")
        let keyring = try MasterKeyring(current: masterKey)
        let result = try await c.database.withClient(logger: poolLogger) { database in
            try await MigrationRunner().migrate(database, logger: logger)
            try await resetAll(database)
            let tenancy = TenancyStore(database: database, keyring: keyring, logger: logger)
            let workspace = try await tenancy.createWorkspace(name: "identity-bench-\(runID)", actor: "kinship-bench")
            let source = try await tenancy.createSource(in: workspace, name: "web", actor: "kinship-bench")
            let bench = IdentityBenchWorkspace(workspaceID: workspace.id, sourceID: source.owner.id, keys: try await tenancy.keys(for: workspace.id))
            return try await measure(stream, bench, database)
        }
        print(result.table)
        print(try result.jsonLine())
        if !result.problems.isEmpty {
            throw BenchFailure("the figures are not valid: \(result.problems.joined(separator: "; "))")
        }
    }

    /// Every measure, in order: each resolution run starts from the stream freshly loaded and no identity state.
    private func measure(_ stream: IdentityStream, _ bench: IdentityBenchWorkspace, _ database: PostgresClient) async throws -> IdentityBenchResult {
        // Times a little in the past, one millisecond apart, the same in both loads.
        let base = Date().addingTimeInterval(-Double(stream.events.count) / 1000 - 60)
        let load = try await self.load(stream, bench, database, base: base)

        let (oneWorker, oneExit) = try await withIdentity(workers: 1) { workers in
            let resolution = try await measureResolution(stream, bench, workers, database)
            let lag = try await measureLag(stream, bench, workers, database)
            return (resolution, lag)
        }
        let reference = try await measureReference(bench, rows: stream.events.count, database)

        try await resetAll(database)
        let reload = try await self.load(stream, bench, database, base: base)
        let (twoWorkers, twoExit) = try await withIdentity(workers: 2) { workers in
            try await measureResolution(stream, bench, workers, database)
        }
        return IdentityBenchResult(
            configuration: configuration, stream: stream, load: load, reload: reload,
            oneWorker: oneWorker.0, lag: oneWorker.1, reference: reference, twoWorkers: twoWorkers,
            serviceExitStatuses: oneExit + twoExit
        )
    }

    /// Running identity workers: the processes, and when the first was started.
    struct Workers {
        let services: [ChildProcess]
        let launched: ContinuousClock.Instant

        var pids: [Int32] { services.map(\.pid) }

        /// Fails, with its log's last lines, when a worker has exited.
        func checkRunning() throws {
            for service in services { try service.requireRunning() }
        }
    }

    /// Starts `workers` release `identity` processes (consumer group `identity`, each on its own port),
    /// runs `body`, then stops them with SIGTERM; returns what `body` returned and their exit statuses.
    private func withIdentity<T>(workers count: Int, _ body: (Workers) async throws -> T) async throws -> (T, [Int32?]) {
        var services: [ChildProcess] = []
        let launched = ContinuousClock.now
        do {
            for _ in 0..<count {
                let port = freePort()
                let environment = [
                    "KINSHIP_DATABASE_URL": configuration.databaseURLText,
                    "KINSHIP_MASTER_KEY": masterKey.base64String,
                    "KINSHIP_INTERNAL_TOKEN": internalToken,
                    ServiceName.identity.portVariable: String(port),
                    "KINSHIP_LOG_LEVEL": "warning",
                ].merging(ProcessInfo.processInfo.environment.filter { $0.key.hasPrefix("KINSHIP_IDENTITY_CONSUMER_") }) { $1 }
                let log = ChildProcess.temporaryLog("kinship-bench-identity")
                let service = try ChildProcess("identity", in: configuration.binDirectory, environment: environment, output: .log(log))
                progress("identity: pid \(service.pid) on http://127.0.0.1:\(port), log \(log.path)")
                services.append(service)
            }
            let result = try await body(Workers(services: services, launched: launched))
            progress("stopping identity (SIGTERM)")
            var statuses: [Int32?] = []
            for service in services { statuses.append(await service.stop(grace: .seconds(15))) }
            return (result, statuses)
        } catch {
            for service in services {
                await service.stop(grace: .seconds(15))
                progress("identity \(service.pid)'s last log lines:\n\(service.logTail())")
            }
            throw error
        }
    }

    /// Empties the bus, the events and identity's state: a fresh database but for tenancy.
    func resetAll(_ database: PostgresClient) async throws {
        try await database.query(
            """
            TRUNCATE events, event_profiles, outbox, outbox_cursors, outbox_leases, outbox_workers, outbox_dead_letters,
                profiles, identities, identity_edges, profile_merges, identity_conflicts, profile_splits
            """,
            logger: logger
        )
        try await database.query("DROP TABLE IF EXISTS bench_identity_answers", logger: logger)
    }

    /// Writes out what earlier steps dirtied, so the next measure does not pay for it (scripts/bench grants
    /// `pg_checkpoint`; without it the measures still run, just noisier).
    func checkpoint(_ database: PostgresClient) async {
        do {
            try await database.query("CHECKPOINT", logger: logger)
        } catch {
            progress("  (no CHECKPOINT between measures: \(String(reflecting: error)))")
        }
    }

    func count(_ query: PostgresQuery, _ database: PostgresClient) async throws -> Int {
        try await database.query(query, logger: logger).decode(Int.self).first(where: { _ in true }) ?? 0
    }
}
