import KinshipTestSupport
import PostgresNIO
import Testing
@testable import Shared

/// A prepared statement whose preparation failed is remembered by PostgresNIO for the connection's life;
/// `rows` retires such a connection so the pool replaces it.
@Suite struct PreparedStatementTests {
    struct CountLater: PostgresPreparedStatement {
        static let sql = "SELECT count(*)::int FROM prepared_later"
        typealias Row = Int
        func makeBindings() -> PostgresBindings { PostgresBindings() }
        func decodeRow(_ row: PostgresRow) throws -> Int { try row.decode(Int.self) }
    }

    @Test func aConnectionOnWhichPreparingFailedIsClosedAndTheNextOneWorks() async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url, migrate: false) { client in
                let logger = TestDatabase.logger
                let failed = try await client.withConnection { connection -> Bool in
                    await #expect(throws: PSQLError.self) { try await connection.rows(CountLater(), logger: logger) }
                    return connection.isClosed
                }
                #expect(failed, "the connection that failed to prepare was left open")
                try await client.query("CREATE TABLE prepared_later (n int)", logger: logger)
                let count = try await client.withConnection { try await $0.rows(CountLater(), logger: logger) }
                #expect(count == [0])
            }
        }
    }
}
