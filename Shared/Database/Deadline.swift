import KinshipCore
import NIOCore
import NIOPosix

/// Kinship's one timeout: runs work, and once a limit has passed cancels it and reports the error the
/// caller names (a pool that cannot connect queues work indefinitely; a client deserves a prompt
/// `503 database_unavailable`, a probe a prompt answer).
public enum Deadline {
    /// Runs `body`; once `limit` has passed, cancels it and throws `onExpiry()` if it then fails. What
    /// finished is kept, even past the limit: a commit that made it is not reported as failed.
    ///
    /// The body and a waiter for the alarm are the two children of a task group (task-locals, such as
    /// `DeferredNotifications.current`, reach the body). The alarm is an event-loop timer, cancelled when
    /// the body returns: this runs for every group commit, and a sleeping task per call (a dispatch timer)
    /// cost a tenth of a small request.
    public static func run<T: Sendable>(
        _ limit: Duration,
        onExpiry: @escaping @Sendable () -> any Error = { KinshipError.databaseUnavailable() },
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let alarm = WakeUpSignal()
        let timer = Self.alarm(after: limit) { alarm.ring() }
        defer { timer.cancel() }
        return try await withThrowingTaskGroup(of: Step<T>.self) { group in
            group.addTask {
                do { return .finished(.success(try await body())) } catch { return .finished(.failure(error)) }
            }
            group.addTask {
                await alarm.wait()
                return .expired
            }
            var expired = false
            while let step = try await group.next() {
                switch step {
                case .expired:
                    guard !Task.isCancelled else { continue }  // the alarm's waiter ends when the group is cancelled
                    expired = true
                    group.cancelAll()
                case .finished(let result):
                    group.cancelAll()
                    if case .failure = result, expired { throw onExpiry() }
                    return try result.get()
                }
            }
            throw CancellationError()
        }
    }

    /// Calls `action` once `limit` has passed, unless the returned timer is cancelled first: for a caller
    /// that must answer by a time without waiting for its work to end (an event-loop timer, as above).
    public static func alarm(after limit: Duration, _ action: @escaping @Sendable () -> Void) -> Scheduled<Void> {
        MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(limit), action)
    }

    private enum Step<T: Sendable>: Sendable {
        case finished(Result<T, any Error>)
        case expired
    }
}
