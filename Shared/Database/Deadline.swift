import KinshipCore
import NIOCore
import NIOPosix
import Synchronization

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

    /// Runs `body`; once `limit` has passed, cancels it and throws `onExpiry()` at once, without waiting for it
    /// to end: for a read whose answer no one needs after the limit. A pool that cannot connect may notice the
    /// cancellation long after the limit (a write key's lookup took 28 s to give up on a loaded machine), and
    /// the client is owed its `503` now. `run` waits instead, so that work that finished is reported.
    public static func abandoning<T: Sendable>(
        _ limit: Duration,
        onExpiry: @escaping @Sendable () -> any Error = { KinshipError.databaseUnavailable() },
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let work = Task { try await body() }
        let outcome = FirstOutcome<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                outcome.await(continuation)
                let timer = alarm(after: limit) {
                    if outcome.settle(.failure(onExpiry())) { work.cancel() }
                }
                Task {
                    let result = await work.result
                    timer.cancel()
                    outcome.settle(result)
                }
            }
        } onCancel: {
            work.cancel()
        }
    }

    /// Resumes a continuation with whichever outcome comes first; later ones are dropped.
    private final class FirstOutcome<T: Sendable>: Sendable {
        private let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)

        func await(_ waiting: CheckedContinuation<T, any Error>) {
            continuation.withLock { $0 = waiting }
        }

        /// Whether this outcome was the first.
        @discardableResult
        func settle(_ result: Result<T, any Error>) -> Bool {
            guard let waiting = continuation.withLock({ current -> CheckedContinuation<T, any Error>? in
                defer { current = nil }
                return current
            }) else { return false }
            waiting.resume(with: result)
            return true
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
