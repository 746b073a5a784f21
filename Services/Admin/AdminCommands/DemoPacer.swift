import Synchronization

/// When each request of `kinship demo send` may start: at `--rate` events a second when one is given, and
/// never before a pause ingestion asked for (a `Retry-After` concerns the source, so every sender honours it).
final class DemoPacer: Sendable {
    private struct State {
        /// When the next events may go at the rate.
        var nextFree: ContinuousClock.Instant
        var pausedUntil: ContinuousClock.Instant
    }

    /// Events a second; nil sends at full speed.
    let rate: Double?
    private let state: Mutex<State>

    init(rate: Double?) {
        self.rate = rate
        state = Mutex(State(nextFree: .now, pausedUntil: .now))
    }

    /// Waits until `events` more may be sent, and counts them as sent.
    func admit(events: Int) async throws {
        let now = ContinuousClock.now
        let start = state.withLock { state in
            var start = max(now, state.pausedUntil)
            if let rate {
                start = max(start, state.nextFree)
                state.nextFree = start + .seconds(Double(events) / rate)
            }
            return start
        }
        if start > now { try await Task.sleep(until: start, clock: .continuous) }
    }

    /// Holds every sender back for `duration` from now (or longer, if already held longer).
    func pause(for duration: Duration) {
        let until = ContinuousClock.now + duration
        state.withLock { $0.pausedUntil = max($0.pausedUntil, until) }
    }
}
