import AsyncHTTPClient
import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import Logging
import KinshipPrivacy
import NIOCore
import NIOHTTP1
import PostgresNIO
import ReportingService

/// The dashboard's pages as a browser gets them: the release `identity`, `segmentation` and `reporting` as
/// child processes over the benchmark's shop, an admin signed in through the sign-in form, and each page
/// fetched `pageRuns` times one after another, from the request to the last byte of its HTML.
struct DashboardMeasure: Sendable {
    struct Page: Sendable {
        let name: String
        let path: String
        /// Each fetch's time, sorted.
        let runsMs: [Double]
        let bytes: Int
        var p50: Double { percentile(0.5, of: runsMs) }
        var max: Double { runsMs.last ?? 0 }
    }

    let pages: [Page]
    var slowest: Page? { pages.max { $0.max < $1.max } }
    let profileLookups: ProfileLookupLoad
}

/// `GET /v1/profiles/{id}` (the 360 view) at a steady rate, open loop: request k is due at start + k / rate whether or not the earlier ones returned, and
/// its time runs from when it was due to its last byte, so a stall counts against every request it delays.
struct ProfileLookupLoad: Sendable {
    let rate: Int
    let seconds: Int
    /// Each request's time, sorted.
    let ms: [Double]
    let failed: Int
    let achievedRate: Double
    var p50: Double { percentile(0.5, of: ms) }
    var p90: Double { percentile(0.9, of: ms) }
    var p99: Double { percentile(0.99, of: ms) }
    var max: Double { ms.last ?? 0 }
}

extension ReportingBenchmark {
    /// The report pages of the dashboard's menu (`DashboardRoutes.reportPages`), each with its defaults.
    static let dashboardReports = [
        "funnel", "retention", "rfm", "nps", "email", "channels", "cart-abandonment", "support", "demographics", "trends", "data-map",
    ]

    func measureDashboard(
        _ workspace: DemoShopWorkspace, _ period: ReportPeriod, userID: String?, _ database: PostgresClient
    ) async throws -> DashboardMeasure {
        let c = configuration
        let tenancy = TenancyStore(database: database, keyring: workspace.keyring, logger: logger)
        let admin = try await tenancy.createAPIKey(in: try await tenancy.workspace(.id(workspace.workspaceID)), name: "dashboard-bench", role: .admin, actor: "kinship-bench").secret
        let sample = try await database.query(
            "SELECT id FROM profiles WHERE workspace_id = \(workspace.workspaceID) AND merged_into IS NULL ORDER BY random() LIMIT 1000", logger: logger
        ).decode(UUID.self).collectAll()
        let person = sample.first
        // The date-range picker's days: the period's first and last (inclusive) day.
        let days = "from=\(Timestamp.format(period.from).prefix(10))&to=\(Timestamp.format(period.to.addingTimeInterval(-1)).prefix(10))"
        var paths = [("overview", "/dashboard?\(days)")]
        paths += Self.dashboardReports.map { ("reports/\($0)", "/dashboard/reports/\($0)?\(days)") }
        paths.append(("segments", "/dashboard/segments"))
        if let userID { paths.append(("people search", "/dashboard/people?q=\(userID)")) }
        if let person { paths.append(("person", "/dashboard/people/\(person.lowercased)")) }
        progress("dashboard: \(paths.count) pages through the release services, \(c.pageRuns) fetches each, signed in as an admin")

        let services = ReleaseServices(
            names: ["identity", "segmentation", "reporting"], binDirectory: c.binDirectory, databaseURL: c.databaseURLText, masterKey: masterKey
        )
        let fixedPaths = paths
        return try await services.run { urls in
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
            do {
                let base = urls["reporting"]!
                try await Self.waitForConsumers(database, logger: logger)
                let session = try await Self.signIn(base, key: admin, client)
                var pages: [DashboardMeasure.Page] = []
                for (name, path) in fixedPaths {
                    var runs: [Double] = []
                    var bytes = 0
                    for _ in 0..<c.pageRuns {
                        let start = ContinuousClock.now
                        bytes = try await Self.fetch(base + path, session: session, client)
                        runs.append((ContinuousClock.now - start).inMilliseconds)
                    }
                    let page = DashboardMeasure.Page(name: name, path: path, runsMs: runs.sorted(), bytes: bytes)
                    progress(String(format: "  %@: p50 %.0f ms, max %.0f ms, %@ bytes", name, page.p50, page.max, grouped(bytes)))
                    pages.append(page)
                }
                let analyst = try await tenancy.createAPIKey(
                    in: try await tenancy.workspace(.id(workspace.workspaceID)), name: "profile-bench", role: .analyst, actor: "kinship-bench"
                ).secret
                if c.profileWarmUpSeconds > 0 {
                    progress("set-up: the same load for \(c.profileWarmUpSeconds) s first, as a warm-up (not timed): the pool opens its connections and prepares its statements")
                    _ = try await Self.loadProfiles(base, key: analyst, profiles: sample, rate: c.profileRate, seconds: c.profileWarmUpSeconds, client)
                }
                let lookups = try await Self.loadProfiles(base, key: analyst, profiles: sample, rate: c.profileRate, seconds: c.profileSeconds, client)
                try await client.shutdown()
                return DashboardMeasure(pages: pages, profileLookups: lookups)
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    /// Set-up, not timed: the services just started work through what the outbox holds for them (the
    /// set-up evaluated every profile in-process, so segmentation's own consumer starts from the load's
    /// announcements). Pages and lookups are timed once every consumer has caught up, as on a platform at rest.
    private static func waitForConsumers(_ database: PostgresClient, logger: Logger) async throws {
        let outbox = OutboxAdministration(database: database, logger: logger)
        let start = ContinuousClock.now
        progress("set-up: waiting for the services' consumers to catch up with the outbox (not timed)")
        while true {
            let status = try await outbox.status(countingUpTo: 1)
            let groups = Set(status.map(\.group))
            if ["identity", "segmentation", "reporting"].allSatisfy(groups.contains), status.allSatisfy({ $0.lagMessages == 0 }) { break }
            guard ContinuousClock.now - start < .seconds(1800) else { throw BenchFailure("the services' consumers did not catch up in 30 minutes") }
            try await Task.sleep(for: .seconds(1))
        }
        progress(String(format: "  caught up in %.1f s", (ContinuousClock.now - start).inMilliseconds / 1000))
    }

    /// `rate` lookups a second of profiles drawn from `profiles` for `seconds`, as an analyst.
    private static func loadProfiles(
        _ base: String, key: String, profiles: [UUID], rate: Int, seconds: Int, _ client: HTTPClient
    ) async throws -> ProfileLookupLoad {
        guard !profiles.isEmpty else { throw BenchFailure("no profile to look up") }
        progress("profile 360: GET /v1/profiles/{id} at \(rate)/s for \(seconds) s, open loop, as an analyst")
        let total = rate * seconds
        let start = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: (Double, Bool).self) { group in
            for k in 0..<total {
                let due = start + .nanoseconds(Int64(k) * 1_000_000_000 / Int64(rate))
                try await Task.sleep(until: due)
                let id = profiles[k % profiles.count]
                group.addTask {
                    var request = HTTPClientRequest(url: base + "/v1/profiles/" + id.lowercased)
                    request.headers.add(name: "Authorization", value: "Bearer \(key)")
                    do {
                        let response = try await client.execute(request, timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 1 << 24)
                        return ((ContinuousClock.now - due).inMilliseconds, response.status == .ok)
                    } catch {
                        return ((ContinuousClock.now - due).inMilliseconds, false)
                    }
                }
            }
            var results: [(Double, Bool)] = []
            for try await result in group { results.append(result) }
            return results
        }
        let elapsed = (ContinuousClock.now - start).inMilliseconds / 1000
        let load = ProfileLookupLoad(
            rate: rate, seconds: seconds, ms: results.map(\.0).sorted(), failed: results.count(where: { !$0.1 }),
            achievedRate: Double(total) / max(elapsed, 0.001)
        )
        progress(String(format: "  p50 %.1f ms, p99 %.1f ms, %d failed, %.0f requests/s", load.p50, load.p99, load.failed, load.achievedRate))
        return load
    }

    /// Signs in through the form as a browser does (the CSRF token a cookie and a field alike): the session
    /// cookie's value.
    private static func signIn(_ base: String, key: String, _ client: HTTPClient) async throws -> String {
        let csrf = "bench-" + UUID().uuidString
        var request = HTTPClientRequest(url: base + "/dashboard/sign-in")
        request.method = .POST
        request.headers.add(name: "Cookie", value: "kinship_sign_in=\(csrf)")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: "csrf=\(csrf)&api_key=\(key)"))
        let response = try await client.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 20)
        let session = response.headers["Set-Cookie"].lazy.compactMap { cookie -> String? in
            guard cookie.hasPrefix("kinship_session=") else { return nil }
            return String(cookie.dropFirst("kinship_session=".count).prefix { $0 != ";" })
        }.first
        guard response.status == .seeOther, let session, !session.isEmpty else {
            throw BenchFailure("signing in to the dashboard answered \(response.status.code) without a session cookie")
        }
        return session
    }

    /// A page's whole HTML; fails unless it is a 200.
    private static func fetch(_ url: String, session: String, _ client: HTTPClient) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Cookie", value: "kinship_session=\(session)")
        let response = try await client.execute(request, timeout: .seconds(120))
        let body = try await response.body.collect(upTo: 1 << 26)
        guard response.status == .ok else {
            throw BenchFailure("\(url) answered \(response.status.code): \(String(buffer: body).prefix(300))")
        }
        return body.readableBytes
    }
}
