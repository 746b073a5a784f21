import AsyncHTTPClient
import Foundation
import KinshipChildProcess
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import Logging
import NIOCore
import PostgresNIO

/// `kinship-bench privacy`: data subject requests against the release services. The set-up loads a demo
/// shop as ingestion and identity leave it, has segmentation evaluate every profile (its consent facts and
/// the refusals ingestion enforces among what it keeps) and rolls it up as reporting's worker would. Then,
/// with `identity`, `segmentation`, `reporting` and `ingestion` running as child processes:
/// - erasures: `erasures` customers asked at once through `POST /v1/privacy/requests`, each request's
///   time from being recorded to its last service's step (`privacy_requests.requested_at` to
///   `completed_at`), the whole batch, and a check that none of their rows is left;
/// - suppressions of `suppressions` other customers;
/// - ingestion's batch rate into the shop's workspace, with its stored refusals and suppressions in force,
///   next to the rate into a workspace with none, in alternating rounds of the same run.
struct PrivacyBenchmark: Sendable {
    let configuration: PrivacyBenchConfiguration
    let logger: Logger
    let runID = UUID().uuidString.prefix(8).lowercased()
    let masterKey = Data((0..<32).map { _ in UInt8.random(in: .min ... .max) })

    /// The services the measures run against, in the order they start.
    static let services = ["identity", "segmentation", "reporting", "ingestion"]

    init(configuration: PrivacyBenchConfiguration) {
        self.configuration = configuration
        var logger = Logger(label: "kinship.bench.privacy")
        logger.logLevel = .warning
        self.logger = logger
    }

    func run() async throws {
        let keyring = try MasterKeyring(current: masterKey)
        let c = configuration
        let result = try await c.database.withClient(logger: poolLogger) { database in
            try await MigrationRunner().migrate(database, logger: logger)
            let shop = try await DemoShopWorkspace.create(named: "privacy-bench-\(runID)", keyring: keyring, database, logger: logger)
            var loader = DemoShopLoader(customers: c.customers, days: c.days, seed: c.seed, logger: logger)
            loader.sampledUserIDs = c.erasures + c.suppressions
            let load = try await loader.load(shop, database)
            guard load.userIDs.count >= c.erasures + c.suppressions else {
                throw BenchFailure("the shop has \(load.userIDs.count) customers with a user id to name; \(c.erasures + c.suppressions) are needed")
            }
            let reporting = ReportingBenchmark(configuration: try ReportingBenchConfiguration(KinshipCore.Environment()))
            let setUp = try await reporting.computeTraits(shop, keyring, database)
            _ = try await reporting.rollUpLoadedShop(shop, database)
            let refusals = try await count("SELECT count(*)::int FROM consent_refusals WHERE workspace_id = \(shop.workspaceID) AND refused", database)
            progress("  \(refusals) stored refusals of the shop's customers in force")
            await reporting.checkpoint(database)

            let tenancy = TenancyStore(database: database, keyring: keyring, logger: logger)
            let workspace = try await tenancy.workspace(.id(shop.workspaceID))
            let admin = try await tenancy.createAPIKey(in: workspace, name: "privacy-bench", role: .admin, actor: "kinship-bench").secret
            let shopSource = try await tenancy.createSource(in: workspace, name: "ingestion-bench", actor: "kinship-bench").secret
            let bare = try await tenancy.createWorkspace(name: "privacy-bench-bare-\(runID)", actor: "kinship-bench")
            let bareSource = try await tenancy.createSource(in: bare, name: "ingestion-bench", actor: "kinship-bench").secret

            return try await withServices { urls in
                let erasures = try await measureErasures(Array(load.userIDs.prefix(c.erasures)), admin: admin, urls, shop, database)
                let suppressions = try await suppress(Array(load.userIDs.dropFirst(c.erasures).prefix(c.suppressions)), admin: admin, urls)
                let ingestion = try await measureIngestion(urls, withConsent: shopSource, without: bareSource)
                return PrivacyBenchResult(
                    configuration: c, load: load, evaluated: setUp.evaluated, refusals: refusals, erasures: erasures,
                    suppressed: suppressions, ingestion: ingestion
                )
            }
        }
        print(result.table)
        print(try result.jsonLine())
        if !result.problems.isEmpty {
            throw BenchFailure("the figures are not valid: \(result.problems.joined(separator: "; "))")
        }
    }

    /// The four services as child processes on free ports, ready, for `body`; stopped after it.
    private func withServices<T: Sendable>(_ body: @Sendable ([String: String]) async throws -> T) async throws -> T {
        let c = configuration
        return try await ReleaseServices(names: Self.services, binDirectory: c.binDirectory, databaseURL: c.databaseURLText, masterKey: masterKey)
            .run(body)
    }

    /// Asks for every erasure at once (eight requests in flight), then waits until each is done and checks
    /// that none of the erased profiles' rows is left in any table the steps cover.
    private func measureErasures(
        _ userIDs: [String], admin: String, _ urls: [String: String], _ shop: DemoShopWorkspace, _ database: PostgresClient
    ) async throws -> ErasureMeasure {
        let w = shop.workspaceID
        progress("erasures: \(userIDs.count) customers asked for through POST /v1/privacy/requests, 8 in flight")
        let start = ContinuousClock.now
        let made = try await withThrowingTaskGroup(of: [PublicPrivacyRequest].self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var made: [PublicPrivacyRequest] = []
                    for userID in userIDs.enumerated().filter({ $0.offset % 8 == worker }).map(\.element) {
                        let body = ["kind": "erase", "identifier": ["type": "user_id", "value": userID]] as [String: Any]
                        let answer = try await Self.post(urls["reporting"]! + "/v1/privacy/requests", body: body, key: admin)
                        guard answer.status == 202 else { throw BenchFailure("an erasure was answered \(answer.status): \(answer.body.prefix(300))") }
                        made.append(try JSONCoding.decode(PublicPrivacyRequest.self, from: Data(answer.body.utf8)))
                    }
                    return made
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let asked = ContinuousClock.now - start
        progress(String(format: "  asked in %.1f s; waiting for every service's step", asked.inMilliseconds / 1000))
        let deadline = ContinuousClock.now + .seconds(configuration.erasureTimeoutSeconds)
        var lastReport = ContinuousClock.now
        while true {
            let done = try await count(
                "SELECT count(*)::int FROM privacy_requests WHERE workspace_id = \(w) AND kind = 'erase' AND status = 'done'", database
            )
            if done >= made.count { break }
            guard ContinuousClock.now < deadline else {
                throw BenchFailure("\(done) of \(made.count) erasures done after \(configuration.erasureTimeoutSeconds) s")
            }
            if ContinuousClock.now - lastReport >= .seconds(10) {
                lastReport = .now
                progress("  \(done) of \(made.count) done")
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        var seconds: [Double] = []
        var first = Date.distantFuture, last = Date.distantPast
        for try await (requestedAt, completedAt) in try await database.query(
            "SELECT requested_at, completed_at FROM privacy_requests WHERE workspace_id = \(w) AND kind = 'erase'", logger: logger
        ).decode((Date, Date).self) {
            seconds.append(completedAt.timeIntervalSince(requestedAt))
            (first, last) = (min(first, requestedAt), max(last, completedAt))
        }
        seconds.sort()
        let profiles = made.flatMap(\.profileIds).compactMap(UUID.init(uuidString:))
        var left = 0
        var leftIn: [String] = []
        for (table, column) in [
            ("profiles", "id"), ("identities", "profile_id"), ("event_profiles", "profile_id"), ("segment_profiles", "profile_id"),
            ("consent_facts", "profile_id"), ("consent_refusals", "profile_id"), ("memberships", "profile_id"), ("report_events", "profile_id"),
        ] {
            let rows = try await count(
                PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table) WHERE workspace_id = $1 AND \(column) = ANY($2)", binds: {
                    var binds = PostgresBindings()
                    binds.append(w)
                    binds.append(profiles)
                    return binds
                }()),
                database
            )
            left += rows
            if rows > 0 { leftIn.append("\(table) \(rows)") }
        }
        if !leftIn.isEmpty { progress("  rows of erased profiles left in: " + leftIn.joined(separator: ", ")) }
        let measure = ErasureMeasure(
            requests: made.count, profiles: profiles.count, askedIn: asked, p50: percentile(0.50, of: seconds), p99: percentile(0.99, of: seconds),
            max: seconds.last ?? 0, batch: last.timeIntervalSince(first), rowsLeft: left
        )
        progress(String(format: "  per request p50 %.1f s, p99 %.1f s, max %.1f s; the batch %.1f s; %d rows of erased profiles left",
                        measure.p50, measure.p99, measure.max, measure.batch, left))
        return measure
    }

    /// Suppresses each customer named (one after another); returns how many were suppressed.
    private func suppress(_ userIDs: [String], admin: String, _ urls: [String: String]) async throws -> Int {
        guard !userIDs.isEmpty else { return 0 }
        progress("suppressions: \(userIDs.count) other customers")
        for userID in userIDs {
            let body = ["kind": "suppress", "identifier": ["type": "user_id", "value": userID]] as [String: Any]
            let answer = try await Self.post(urls["reporting"]! + "/v1/privacy/requests", body: body, key: admin)
            guard answer.status == 201 else { throw BenchFailure("a suppression was answered \(answer.status): \(answer.body.prefix(300))") }
        }
        return userIDs.count
    }

    /// `ingestionEvents` events through `POST /v1/batch`, in rounds alternating between the shop's
    /// workspace (stored refusals and suppressions in force) and a workspace without any; the rate of each.
    private func measureIngestion(_ urls: [String: String], withConsent: String, without: String) async throws -> IngestionConsentMeasure {
        let c = configuration
        // The ingestion benchmark's load and events (its own defaults: 100 events of 400 B per request, 32 in flight).
        let load = IngestionBenchmark(configuration: try IngestionBenchConfiguration(KinshipCore.Environment()))
        let url = URL(string: urls["ingestion"]!)!
        let client = try await LoadClient.make(host: url.host!, port: url.port!, connections: 64)
        defer { Task { await client.shutdown() } }
        let perRound = c.ingestionEvents / (2 * c.ingestionRounds)
        progress("ingestion: \(c.ingestionRounds) rounds of \(perRound) events into each workspace, alternating (a warm-up round first, not counted)")
        _ = try await load.sendBatches(events: perRound, phase: "warmup", writeKey: without, client)
        var (consented, bare) = ([BatchLoad](), [BatchLoad]())
        for round in 1...c.ingestionRounds {
            // Which goes first alternates too, so neither always follows the other's backlog.
            let order = round % 2 == 1 ? [true, false] : [false, true]
            for withStored in order {
                let sent = try await load.sendBatches(
                    events: perRound, phase: "\(withStored ? "consent" : "bare")-\(round)", writeKey: withStored ? withConsent : without, client
                )
                if withStored { consented.append(sent) } else { bare.append(sent) }
            }
        }
        let measure = IngestionConsentMeasure(withConsent: BatchLoad(sequence: consented), without: BatchLoad(sequence: bare))
        progress(String(format: "  with stored consent and suppression %.0f events/s, without %.0f events/s (ratio %.3f)",
                        measure.withConsent.rate, measure.without.rate, measure.ratio))
        return measure
    }

    private static func post(_ url: String, body: [String: Any], key: String) async throws -> (status: UInt, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let answer = try await response.body.collect(upTo: 1 << 22)
        return (response.status.code, String(buffer: answer))
    }

    private func count(_ query: PostgresQuery, _ database: PostgresClient) async throws -> Int {
        try await database.query(query, logger: logger).decode(Int.self).collectAll().first ?? 0
    }
}

/// The erasures: per request, from being recorded to its last step, in seconds.
struct ErasureMeasure: Sendable {
    let requests: Int
    let profiles: Int
    let askedIn: Duration
    let p50: Double
    let p99: Double
    let max: Double
    /// From the first request recorded to the last completed.
    let batch: Double
    /// Rows of the erased profiles found afterwards in the tables the steps cover (must be 0).
    let rowsLeft: Int
}

/// Ingestion's batch rate with a workspace's stored refusals and suppressions in force, and without.
struct IngestionConsentMeasure: Sendable {
    let withConsent: BatchLoad
    let without: BatchLoad

    var ratio: Double { without.rate > 0 ? withConsent.rate / without.rate : 0 }
}
