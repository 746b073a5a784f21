import Foundation
import Synchronization

/// The progress bar of `kinship demo send` on a terminal (standard error): events sent, events/s, time
/// left. How many events a shop holds is known only once it is made, so the share done is counted in
/// households, whose number the plan gives up front. Off a terminal it stays silent.
final class DemoProgress: Sendable {
    private struct State {
        var households = 0
        var events = 0
        var retries = 0
        var lastDrawn: ContinuousClock.Instant?
    }

    private let totalHouseholds: Int
    private let started = ContinuousClock.now
    private let state = Mutex(State())

    init(totalHouseholds: Int) {
        self.totalHouseholds = totalHouseholds
    }

    func sent(events: Int, retries: Int = 0) {
        update {
            $0.events += events
            $0.retries += retries
        }
    }

    func householdDone() {
        update { $0.households += 1 }
    }

    func finish() {
        guard ProgressFormat.onTerminal else { return }
        ProgressFormat.draw(state.withLock { render($0, now: .now) }, final: true)
    }

    private func update(_ change: (inout State) -> Void) {
        let line = state.withLock { state -> String? in
            change(&state)
            let now = ContinuousClock.now
            guard ProgressFormat.onTerminal else { return nil }
            if let last = state.lastDrawn, now - last < ProgressFormat.interval { return nil }
            state.lastDrawn = now
            return render(state, now: now)
        }
        if let line { ProgressFormat.draw(line) }
    }

    private func render(_ state: State, now: ContinuousClock.Instant) -> String {
        let elapsed = max(ProgressFormat.seconds(now - started), 0.001)
        let fraction = totalHouseholds > 0 ? min(Double(state.households) / Double(totalHouseholds), 1) : 1
        let left = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
        let retries = state.retries > 0 ? "  \(state.retries) retries" : ""
        return ProgressFormat.bar(fraction) + " "
            + String(format: "%3.0f%%  %d events  %.0f events/s  %@ left", fraction * 100, state.events, Double(state.events) / elapsed, ProgressFormat.clock(left))
            + retries
    }
}
