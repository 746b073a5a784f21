import Logging
import PostgresNIO

extension PostgresClient {
    /// `withTransaction` that rethrows the body's own error (a `KinshipError`, say) rather than
    /// PostgresNIO's wrapper, so callers and the error middleware see what went wrong.
    public func transaction<Result>(
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        do {
            return try await withTransaction(logger: logger, isolation: isolation, body)
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.beginError ?? error.commitError ?? error
        }
    }
}
