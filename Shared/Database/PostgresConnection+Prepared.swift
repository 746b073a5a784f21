import KinshipCore
import Logging
import PostgresNIO

extension PostgresConnection {
    /// Runs a prepared statement and returns its rows, read to the end.
    ///
    /// When the server reports an error, the connection is closed and the pool opens another: PostgresNIO
    /// remembers a statement whose preparation failed (a table missing before migrations, a cancelled
    /// wait for a lock, a plan whose result type changed) for the life of the connection, which would
    /// fail that statement on it forever. An error of executing the statement costs a reconnection, except
    /// a constraint's violation (SQLSTATE class 23), which only executing raises: the statement was prepared.
    /// Inlinable, so each statement's rows are read by code specialised for them (it runs for every batch).
    @inlinable public func rows<Statement: PostgresPreparedStatement>(_ statement: Statement, logger: Logger) async throws -> [Statement.Row] {
        do {
            var rows: [Statement.Row] = []
            for try await row in try await execute(statement, logger: logger) { rows.append(row) }
            return rows
        } catch let error as PSQLError where error.serverInfo != nil && error.serverInfo?[.sqlState]?.hasPrefix("23") != true {
            logger.warning("closing a connection after a prepared statement failed", metadata: [
                "statement": "\(Statement.name)", "error": "\(String(reflecting: error))",
            ])
            try? await close()
            throw error
        }
    }
}
