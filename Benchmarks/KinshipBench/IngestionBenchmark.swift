import AsyncHTTPClient
import Foundation
import KinshipChildProcess
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import Logging
import NIOCore
import PostgresNIO

/// `kinship-bench ingestion`: the release-built `ingestion` service as a child process, loaded over
/// loopback from this process. Batch throughput (`POST /v1/batch`, durable) against a `COPY` of the same
/// rows, single-event latency (`POST /v1/track`) at a fixed rate, and the service's memory.
struct IngestionBenchmark: Sendable {
    /// The reference `COPY` loads into this copy of `events` (columns, defaults, indexes), nothing more.
    static let copyTable = "bench_events_copy"
    static let copyColumns = ["workspace_id", "received_at", "message_id", "source_id", "type", "event", "event_time", "message"]
    /// The service listens on loopback, where the load comes from.
    static let host = "127.0.0.1"

    let configuration: IngestionBenchConfiguration
    let logger: Logger
    /// Makes this run's workspace and message ids distinct from any earlier run's.
    let runID = UUID().uuidString.prefix(8).lowercased()

    init(configuration: IngestionBenchConfiguration) {
        self.configuration = configuration
        var logger = Logger(label: "kinship.bench.ingestion")
        logger.logLevel = .warning
        self.logger = logger
    }

    /// The sources each load writes through, so each measure's rows can be counted apart.
    struct Sources: Sendable {
        let warmUp: CreatedSecret<Source>
        /// One per round of the batch measure.
        let batches: [CreatedSecret<Source>]
        let track: CreatedSecret<Source>
    }

    func run() async throws {
        let c = configuration
        progress("ingestion benchmark: \(c.events) events of \(c.eventBytes) B, \(c.batchSize) per POST /v1/batch, \(c.concurrency) in flight; "
            + "POST /v1/track at \(c.latencyRate)/s for \(c.latencySeconds) s")
        let masterKey = Data((0..<32).map { _ in UInt8.random(in: .min ... .max) })
        let keyring = try MasterKeyring(current: masterKey)
        let result = try await c.database.withClient(logger: poolLogger) { database in
            try await MigrationRunner().migrate(database, logger: logger)
            try await database.query(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(Self.copyTable)"), logger: logger)
            try await database.query(PostgresQuery(unsafeSQL: "CREATE TABLE \(Self.copyTable) (LIKE events INCLUDING ALL)"), logger: logger)
            let tenancy = TenancyStore(database: database, keyring: keyring, logger: logger)
            let workspace = try await tenancy.createWorkspace(name: "bench-\(runID)", actor: "kinship-bench")
            let sources = Sources(
                warmUp: try await tenancy.createSource(in: workspace, name: "warm-up", actor: "kinship-bench"),
                batches: try await batchSources(in: workspace, tenancy),
                track: try await tenancy.createSource(in: workspace, name: "track", actor: "kinship-bench")
            )

            try await storeConsentRefusals(in: workspace, database)

            let port = freePort()
            var environment = [
                "KINSHIP_DATABASE_URL": c.databaseURLText,
                "KINSHIP_MASTER_KEY": masterKey.base64String,
                "KINSHIP_INTERNAL_TOKEN": "bench-" + UUID().uuidString,
                "KINSHIP_INGESTION_PORT": String(port),
                "KINSHIP_LOG_LEVEL": "warning",
                "KINSHIP_RATE_LIMIT_PER_SOURCE": "0",
            ]
            environment["KINSHIP_INGESTION_WRITERS"] = c.serviceWriters
            let log = ChildProcess.temporaryLog("kinship-bench-ingestion")
            let service = try ChildProcess("ingestion", in: c.binDirectory, environment: environment, output: .log(log))
            let url = "http://\(Self.host):\(port)"
            progress("ingestion: pid \(service.pid) on \(url), log \(log.path)")
            let client = Self.makeClient(connections: 4)
            let load = try await LoadClient.make(host: Self.host, port: port, connections: max(c.concurrency, 64))
            do {
                let measures = try await measure(service, url, client, load, database, sources)
                try? await client.shutdown()
                await load.shutdown()
                progress("stopping ingestion (SIGTERM)")
                let exitStatus = await service.stop(grace: .seconds(15))
                return IngestionBenchResult(configuration: c, measures: measures, serviceExitStatus: exitStatus)
            } catch {
                try? await client.shutdown()
                await load.shutdown()
                await service.stop(grace: .seconds(15))
                progress("ingestion's last log lines:\n\(service.logTail())")
                throw error
            }
        }
        print(result.table)
        print(try result.jsonLine())
        if !result.problems.isEmpty {
            throw BenchFailure("the figures are not valid: \(result.problems.joined(separator: "; "))")
        }
    }

    /// `consentRefusals` refusals of `analytics` (the category of the benchmark's events) and one suppressed
    /// identifier, all of people who send nothing here.
    private func storeConsentRefusals(in workspace: Workspace, _ database: PostgresClient) async throws {
        let count = configuration.consentRefusals
        guard count > 0 else { return }
        progress("consent: \(count) stored refusals of analytics and 1 suppressed identifier of other people")
        try await database.query(
            """
            INSERT INTO consent_refusals (workspace_id, type, token, category, profile_id, refused, refused_at)
            SELECT \(workspace.id), 'user_id', sha256(convert_to('refusal-' || g, 'UTF8')), 'analytics', gen_random_uuid(), true, now()
            FROM generate_series(1, \(count)) AS g
            """,
            logger: logger
        )
        try await database.query(
            """
            INSERT INTO suppressed_identifiers (workspace_id, type, token, request_id)
            VALUES (\(workspace.id), 'email', sha256(convert_to('suppressed', 'UTF8')), gen_random_uuid())
            """,
            logger: logger
        )
    }

    private func batchSources(in workspace: Workspace, _ tenancy: TenancyStore) async throws -> [CreatedSecret<Source>] {
        var sources: [CreatedSecret<Source>] = []
        for round in 1...configuration.rounds {
            sources.append(try await tenancy.createSource(in: workspace, name: "batch-\(round)", actor: "kinship-bench"))
        }
        return sources
    }

    /// Every measure, in order, against the service at `url` once it is ready.
    private func measure(
        _ service: ChildProcess, _ url: String, _ client: HTTPClient, _ load: LoadClient, _ database: PostgresClient, _ sources: Sources
    ) async throws -> IngestionBenchResult.Measures {
        let c = configuration
        try await service.waitUntilReady(url + "/readyz", client: client)

        // Untimed: a fresh cluster creates its WAL files as it first writes, and later writes recycle them;
        // the service's pool, and this process's connections, open on first use. Without this pass the
        // batch measure would pay for all of that and the COPY after it would not.
        if c.warmUpEvents > 0 {
            progress("warm-up: \(c.warmUpEvents) events through POST /v1/batch, not timed")
            let warmUp = try await sendBatches(events: c.warmUpEvents, phase: "warmup", writeKey: sources.warmUp.secret, load)
            progress("  \(Int(perSecond(warmUp.stored, warmUp.duration))) events/s")
            guard warmUp.failedRequests == 0 else {
                throw BenchFailure("warm-up: \(warmUp.failedRequests) requests failed, e.g. \(warmUp.failures.first ?? "")")
            }
        }
        // The reference before the first round: the warm-up's rows, as many as a round stores.
        var copyBefore = c.warmUpEvents > 0 ? try await measureCopy(of: sources.warmUp.owner, rows: c.events / c.rounds, database) : nil
        try await database.query("TRUNCATE events, event_message_ids, outbox, failed_events", logger: logger)

        progress("batch: \(c.events) events through POST /v1/batch in \(c.rounds) rounds, each followed by a COPY of its rows")
        let commitsBefore = try await GroupCommits.scrape(url, client)
        var rounds: [IngestionBenchResult.Round] = []
        for (index, source) in sources.batches.enumerated() {
            await checkpoint(database)
            // The last round takes what does not divide evenly.
            let events = index == c.rounds - 1 ? c.events - c.events / c.rounds * (c.rounds - 1) : c.events / c.rounds
            let (load, usage) = try await observing([service.pid], postmaster: c.postgresPID) {
                try await sendBatches(events: events, phase: "batch\(index + 1)", writeKey: source.secret, load)
            }
            progress("  round \(index + 1): \(Int(load.rate)) events/s at full concurrency, \(Int(perSecond(load.stored, load.duration))) over the whole round, \(load.failedRequests) failed requests")
            let copyAfter = try await measureCopy(of: source.owner, rows: load.stored, database)
            rounds.append(IngestionBenchResult.Round(load: load, usage: usage, copyBefore: copyBefore, copyAfter: copyAfter))
            copyBefore = copyAfter
        }
        let batchCommits = try await GroupCommits.scrape(url, client).since(commitsBefore)
        var batchStored = StoredRows(events: 0, outbox: 0)
        for source in sources.batches {
            let stored = try await storedRows(of: source.owner, database)
            batchStored = StoredRows(events: batchStored.events + stored.events, outbox: batchStored.outbox + stored.outbox)
        }
        progress(String(format: "  %.1f requests per commit", batchCommits.requestsPerTransaction))

        await checkpoint(database)
        let trackCommitsBefore = try await GroupCommits.scrape(url, client)
        let (track, trackUsage) = try await observing([service.pid], postmaster: c.postgresPID) {
            try await sendTracks(writeKey: sources.track.secret, load)
        }
        let trackCommits = try await GroupCommits.scrape(url, client).since(trackCommitsBefore)
        let trackStored = try await storedRows(of: sources.track.owner, database)
        progress(String(format: "  p50 %.1f ms, p99 %.1f ms at %.0f req/s, ", track.p50, track.p99, track.achievedRate) + "\(track.failedRequests) failed")

        return IngestionBenchResult.Measures(
            rounds: rounds, batchCommits: batchCommits, batchStored: batchStored,
            track: track, trackUsage: trackUsage, trackCommits: trackCommits, trackStored: trackStored
        )
    }

    /// Stored events and `events` outbox references of one source's messages.
    struct StoredRows: Sendable {
        let events: Int
        let outbox: Int
    }

    private func storedRows(of source: Source, _ database: PostgresClient) async throws -> StoredRows {
        let events = try await database.query(
            "SELECT count(*)::int FROM events WHERE workspace_id = \(source.workspaceID) AND source_id = \(source.id)", logger: logger
        ).decode(Int.self).first(where: { _ in true }) ?? 0
        // The outbox reference names the message, not the source: match it through the stored events.
        let outbox = try await database.query(
            """
            SELECT count(*)::int FROM outbox o
            CROSS JOIN LATERAL \(unescaped: EventReference.sqlReferences(in: "o.payload")) AS r(reference)
            JOIN events e ON e.workspace_id = o.workspace_id AND e.received_at = (\(unescaped: EventReference.sqlField(.receivedAt, of: "r.reference")))::timestamptz
               AND e.message_id = \(unescaped: EventReference.sqlField(.messageId, of: "r.reference"))
            WHERE o.topic = \(OutboxTopic.events.name) AND o.workspace_id = \(source.workspaceID) AND e.source_id = \(source.id)
            """,
            logger: logger
        ).decode(Int.self).first(where: { _ in true }) ?? 0
        return StoredRows(events: events, outbox: outbox)
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

    private static func makeClient(connections: Int) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.httpVersion = .http1Only
        configuration.connectionPool = .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        // An overloaded service makes requests queue here for a free connection; they must wait as long as
        // they would for an answer (the latency counts that wait), not fail after the default 10 s.
        configuration.timeout = .init(connect: .seconds(60))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}
