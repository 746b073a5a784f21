import KinshipCore
import KinshipDatabase
import KinshipOutbox
import Logging

extension OutboxConsumer {
    /// Runs the consumer as a service until `body` returns, then shuts it down gracefully (as SIGTERM
    /// would) and returns what `body` returned. Fails after `timeout`, so a consumer that stalls ends the
    /// benchmark with an error rather than hanging it.
    func running<T: Sendable>(timeout: Duration, logger: Logger, until body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await runningServices([self], logger: logger) {
            try await withThrowingTaskGroup(of: T?.self) { race in
                race.addTask {
                    try await Task.sleep(for: timeout)
                    throw BenchFailure("consumer group \(self.group) did not finish within \(timeout)")
                }
                race.addTask { try await body() }
                defer { race.cancelAll() }
                while let result = try await race.next() {
                    if let result { return result }
                }
                throw BenchFailure("consumer group \(self.group) stopped early")
            }
        }
    }
}
