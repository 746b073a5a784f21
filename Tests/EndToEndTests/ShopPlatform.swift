import AsyncHTTPClient
import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipTestSupport
import PostgresNIO
#if canImport(Glibc)
import Glibc
#endif

/// The four real executables on a fresh database, loaded with a seeded demo shop through HTTP by
/// `kinship demo send`, caught up, with the shop's ground truth from `kinship demo truth`.
struct ShopPlatform: Sendable {
    let database: PostgresClient
    let workspace: Workspace
    let environment: [String: String]
    let identityURL: String
    let truth: ShopTruth
    /// The shop's source's write key, for checks that send more.
    let writeKey: String

    static let services = ["ingestion", "identity", "segmentation", "reporting"]

    /// Runs `body` with the platform loaded; stops the processes and drops the database afterwards.
    static func with(
        customers: Int, days: Int, seed: Int, _ body: @Sendable (ShopPlatform) async throws -> Void
    ) async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url) { database in
                let (workspace, writeKey) = try await makeSource(on: database)
                var environment = TestKeys.environment(url: url)
                var processes: [ChildProcess] = []
                defer { for process in processes { process.signal(SIGKILL) } }
                for service in services {
                    let port = freePort()
                    environment["KINSHIP_\(service.uppercased())_PORT"] = String(port)
                    // Reporting, started last, asks the others at these.
                    environment["KINSHIP_\(service.uppercased())_URL"] = "http://127.0.0.1:\(port)"
                    let process = try ChildProcess(built: service, environment: environment)
                    processes.append(process)
                    try await process.waitUntilReady("http://127.0.0.1:\(port)/readyz")
                }
                let ingestionURL = "http://127.0.0.1:\(environment["KINSHIP_INGESTION_PORT"]!)"
                // The shop ends today, so that what segments ask of the last days and hours finds it there.
                let shop = ["--customers", String(customers), "--days", String(days), "--seed", String(seed), "--end", Self.today]

                var cli = environment
                cli["KINSHIP_INGESTION_URL"] = ingestionURL
                cli["KINSHIP_WRITE_KEY"] = writeKey
                let sent = try await ChildProcess.run(built: "kinship", ["demo", "send"] + shop, environment: cli, timeout: .seconds(600))
                guard sent.status == 0 else { throw ShopPlatformError("kinship demo send failed: \(sent.error)\n\(sent.output)") }
                let told = try await ChildProcess.run(built: "kinship", ["demo", "truth"] + shop, environment: cli, timeout: .seconds(120))
                guard told.status == 0 else { throw ShopPlatformError("kinship demo truth failed: \(told.error)") }
                let truth = try JSONDecoder().decode(ShopTruth.self, from: told.outputData)

                let platform = ShopPlatform(
                    database: database, workspace: workspace, environment: environment,
                    identityURL: "http://127.0.0.1:\(environment["KINSHIP_IDENTITY_PORT"]!)", truth: truth, writeKey: writeKey
                )
                try await platform.waitUntilCaughtUp()
                for process in processes { try process.requireRunning() }
                try await body(platform)
            }
        }
    }

    /// Every stored event is in, and every consumer group has handled everything on the bus.
    func waitUntilCaughtUp() async throws {
        let expected = truth.totals.storedEvents
        let administration = OutboxAdministration(database: database, logger: TestDatabase.logger)
        let caughtUp = try await poll(timeout: .seconds(300), every: .milliseconds(500)) {
            let stored = try await storedCounts(in: workspace, on: database).events
            guard stored >= expected else { return false }
            let status = try await administration.status(countingUpTo: 1)
            return !status.isEmpty && status.allSatisfy { $0.lagMessages == 0 }
        }
        guard caughtUp else { throw ShopPlatformError("the platform did not catch up within 300 s") }
    }

    /// The live profile an identifier resolves to (identity's internal API), nil when it joins none.
    func profile(_ type: String, _ value: String) async throws -> String? {
        var query = URLComponents()
        query.queryItems = [
            URLQueryItem(name: "workspace", value: workspace.id.uuidString), URLQueryItem(name: "type", value: type),
            URLQueryItem(name: "value", value: value),
        ]
        var request = HTTPClientRequest(url: identityURL + "/internal/v1/resolve?" + (query.percentEncodedQuery ?? ""))
        request.headers.add(name: "Authorization", value: "Bearer \(environment["KINSHIP_INTERNAL_TOKEN"]!)")
        let answer = try await HTTPAnswer.send(request, timeout: .seconds(10))
        if answer.status == 404 { return nil }
        guard answer.status == 200, let id = answer.json["profileId"] as? String else {
            throw ShopPlatformError("resolve \(type) answered \(answer.status): \(answer.body)")
        }
        return id
    }

    /// Today's date (UTC), as `--end` takes it.
    static var today: String { String(Timestamp.format(Date()).prefix(10)) }

    /// One number from the database, for checks that count rows.
    func count(_ query: PostgresQuery) async throws -> Int {
        try await database.query(query, logger: TestDatabase.logger).decode(Int.self).first(where: { _ in true }) ?? 0
    }
}

struct ShopPlatformError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
