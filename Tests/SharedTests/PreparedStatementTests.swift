import KinshipTestSupport
import PostgresNIO
import Testing
import KinshipCore
import KinshipPrivacy
import KinshipDatabase
import KinshipOutbox
import KinshipService

/// A prepared statement whose preparation failed is remembered by PostgresNIO for the connection's life;
/// `rows` retires such a connection so the pool replaces it, and keeps one whose statement was prepared and
/// then violated a constraint (ingestion's optimistic insert meets a repeated id that way).
@Suite struct PreparedStatementTests {
    struct CountLater: PostgresPreparedStatement {
        static let sql = "SELECT count(*)::int FROM prepared_later"
        typealias Row = Int
        func makeBindings() -> PostgresBindings { PostgresBindings() }
        func decodeRow(_ row: PostgresRow) throws -> Int { try row.decode(Int.self) }
    }

    struct InsertKey: PostgresPreparedStatement {
        static let sql = "INSERT INTO prepared_keys (k) VALUES ($1)"
        typealias Row = ()
        let key: Int32
        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(key)
            return bindings
        }
        func decodeRow(_ row: PostgresRow) throws -> Row {}
    }

    @Test func aConstraintViolationLeavesTheConnectionOpenAndTheStatementUsable() async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url, migrate: false) { client in
                let logger = TestDatabase.logger
                try await client.query("CREATE TABLE prepared_keys (k int PRIMARY KEY)", logger: logger)
                try await client.withConnection { connection in
                    _ = try await connection.rows(InsertKey(key: 1), logger: logger)
                    let error = await #expect(throws: PSQLError.self) { try await connection.rows(InsertKey(key: 1), logger: logger) }
                    #expect(error?.serverInfo?[.sqlState] == "23505")
                    #expect(!connection.isClosed, "a constraint's violation closed the connection")
                    _ = try await connection.rows(InsertKey(key: 2), logger: logger)
                }
                let keys = try await client.query("SELECT k FROM prepared_keys ORDER BY k", logger: logger).decode(Int32.self).collectAll()
                #expect(keys == [1, 2])
            }
        }
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
