import Logging
import PostgresNIO

/// How every report runs its SQL: in a transaction of its own with nested-loop joins and JIT turned off
/// for that transaction only (`SET LOCAL`, so the pooled connection goes back as it came).
///
/// Reports join sets computed in the same query (CTEs, aggregates over JSON properties) whose sizes the
/// planner cannot estimate; it guessed a few rows and chose nested loops over them, which rescanned one
/// side per row of the other. On the benchmark's shop that made retention take 42 s instead of 1 s and the
/// channels report 410 s instead of 1.5 s (EXPLAIN ANALYZE, 10,000 customers). Reports read whole
/// workspaces, where hash and merge joins are the right plans; JIT compiling such queries costs more than
/// it saves at these sizes.
enum ReportQuery {
    static func rows(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> [PostgresRow] {
        try await connection.query("BEGIN READ ONLY", logger: logger)
        do {
            try await connection.query("SELECT set_config('enable_nestloop', 'off', true), set_config('jit', 'off', true)", logger: logger)
            let rows = try await connection.query(query, logger: logger).collect()
            try await connection.query("COMMIT", logger: logger)
            return rows
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }
}
