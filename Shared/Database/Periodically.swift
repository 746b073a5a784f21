import KinshipCore
import Logging
import ServiceLifecycle

/// The loop of a background upkeep service: runs `pass` every `interval` until graceful shutdown.
/// Shutdown also cancels a pass in progress: one waiting for an unreachable database must not hold the
/// process past SIGTERM. A failed pass is logged and retried at the next interval.
public func runPeriodically(every interval: Duration, logger: Logger, failure: String, _ pass: @escaping @Sendable () async throws -> Void) async {
    while !Task.isCancelled && !Task.isShuttingDownGracefully {
        try? await cancelWhenGracefulShutdown {
            do {
                try await pass()
            } catch where !Task.isCancelled {
                logger.warning("\(failure)", metadata: ["error": "\(String(reflecting: error))"])
            }
            try await Task.sleep(for: interval)
        }
    }
}
