import KinshipCore
import Logging
import PostgresNIO

extension PostgresClient {
    /// `withTransaction` that rethrows the body's own error (a `KinshipError`, say) rather than
    /// PostgresNIO's wrapper, so callers and the error middleware see what went wrong, and that sends
    /// the notifications the body deferred (`DeferredNotifications`) once the commit has succeeded
    /// (`NotificationSender`: the caller does not wait for them).
    public func transaction<Result: Sendable>(
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> Result {
        do {
            let deferred = DeferredNotifications()
            let result = try await withConnection { connection in
                try await DeferredNotifications.$current.withValue(deferred) {
                    try await connection.withTransaction(logger: logger, isolation: isolation, body)
                }
            }
            NotificationSender.send(deferred.take(), via: self, logger: logger)
            return result
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.beginError ?? error.commitError ?? error
        }
    }
}

extension DatabaseURL {
    /// Runs `body` with a started pool on this database and its `NotificationSender`, and shuts both down
    /// afterwards (for commands, tests and benchmarks; services run them in their `ServiceGroup` instead).
    public func withClient<T: Sendable>(logger: Logger, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
        let notifications = NotificationSender(client: client, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            group.addTask {
                await notifications.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}
