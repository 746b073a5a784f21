import NIOCore
import NIOPosix
import Synchronization

/// Bounds how long a request waits for the database: a pool that cannot connect queues work
/// indefinitely, and a client deserves a prompt `503 database_unavailable` with `Retry-After` instead.
public enum DatabaseDeadline {
    /// Runs `body`, or throws `KinshipError.databaseUnavailable()` once `limit` has passed (cancelling it).
    ///
    /// The timer is an event-loop timer, cancelled when `body` returns: this runs for every group commit,
    /// and a sleeping task per call (a dispatch timer and a second task) cost a tenth of a small request.
    public static func run<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let work = Task { try await body() }
        let expiry = Expiry()
        let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(limit)) {
            expiry.expired.store(true, ordering: .relaxed)
            work.cancel()
        }
        defer { timer.cancel() }
        let result = await withTaskCancellationHandler { await work.result } onCancel: { work.cancel() }
        // What finished is kept, even past the limit: a commit that made it is not reported as failed.
        if case .failure = result, expiry.expired.load(ordering: .relaxed) { throw KinshipError.databaseUnavailable() }
        return try result.get()
    }

    private final class Expiry: Sendable {
        let expired = Atomic(false)
    }
}
