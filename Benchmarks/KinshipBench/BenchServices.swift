import Logging
import ServiceLifecycle

/// Runs services as one `ServiceGroup` until `body` returns, then shuts them down gracefully (as SIGTERM
/// would) and returns what `body` returned. A service that ends before `body` does fails the benchmark: the
/// figures would not be of the services running.
func runningServices<T: Sendable>(
    _ services: [any Service], logger: Logger, until body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services.map { .init(service: $0) }, logger: logger))
    return try await withThrowingTaskGroup(of: T?.self) { tasks in
        tasks.addTask {
            try await group.run()
            return nil
        }
        tasks.addTask { try await body() }
        defer { tasks.cancelAll() }
        guard let first = try await tasks.next(), let result = first else {
            throw BenchFailure("the services stopped before the measure ended")
        }
        await group.triggerGracefulShutdown()
        while try await tasks.next() != nil {}
        return result
    }
}
