import Foundation
import Hummingbird
import HummingbirdTesting
import KinshipTestSupport
import PostgresNIO
import Testing
import KinshipCore
import KinshipPrivacy
import KinshipDatabase
import KinshipOutbox
import KinshipInternalClient
import KinshipService

struct ReadinessTests {
    func readyz(_ url: DatabaseURL) async throws -> (HTTPResponse.Status, String) {
        var configuration = TestKeys.configuration(.reporting)
        configuration.database = url
        let runtime = ServiceRuntime(configuration: configuration)
        let app = runtime.makeApplication(router: runtime.makeRouter())
        return try await app.test(.live) { client in
            try await client.execute(uri: "/readyz", method: .get) { ($0.status, String(buffer: $0.body)) }
        }
    }

    /// As `readyz`, asked again (up to five times) while the answer is that the database did not answer in
    /// time: under the load of every suite at once, a first connection to a fresh database has exceeded the
    /// probe's 3 s, which a real orchestrator's next probe would ride out too.
    func settledReadyz(_ url: DatabaseURL) async throws -> (HTTPResponse.Status, String) {
        var answer = try await readyz(url)
        for _ in 1..<5 where answer.1.contains(#""code":"database_unavailable""#) {
            answer = try await readyz(url)
        }
        return answer
    }

    @Test func notReadyUntilMigrated() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let (status, body) = try await settledReadyz(url)
            #expect(status == .serviceUnavailable)
            #expect(body.contains(#""code":"not_migrated""#))
            try await TestDatabase.withClient(url) { _ in }
            #expect(try await settledReadyz(url).0 == .ok)
        }
    }

    @Test func notReadyWhenTheDatabaseIsUnreachable() async throws {
        var unreachable = TestDatabase.url
        unreachable.port = 1
        let (status, body) = try await readyz(unreachable)
        #expect(status == .serviceUnavailable)
        #expect(body.contains(#""code":"database_unavailable""#))
    }

    @Test func partitionMaintenanceRecreatesMissingPartitions() async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url) { client in
                let logger = TestDatabase.logger
                let future = try await client.query(
                    "SELECT to_char(date_trunc('month', now()) + interval '3 months', '\"events_\"YYYY_MM')", logger: logger
                ).decode(String.self).collectAll()[0]
                try await client.query(PostgresQuery(unsafeSQL: "DROP TABLE \(future)"), logger: logger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await PartitionMaintenance(database: client, logger: logger, interval: .seconds(60)).run() }
                    let found = try await poll(timeout: .seconds(5), every: .milliseconds(50)) {
                        try await client.query("SELECT to_regclass(\(future)) IS NOT NULL", logger: logger)
                            .decode(Bool.self).collectAll() == [true]
                    }
                    #expect(found, "\(future) was not recreated")
                    group.cancelAll()
                }
            }
        }
    }
}
