import Foundation
import Synchronization

/// The progress bar of an import on a terminal (standard error): percent, rows, rows/s, time left.
/// Off a terminal it stays silent, so logs and pipes get the summary only.
final class ImportProgress: Sendable {
    private struct State {
        var bytes = 0
        var lines = 0
        var lastDrawn: ContinuousClock.Instant?
    }

    private let totalBytes: Int
    private let headerLines: Int
    private let started = ContinuousClock.now
    private let state = Mutex(State())

    init(totalBytes: Int, headerLines: Int) {
        self.totalBytes = totalBytes
        self.headerLines = headerLines
    }

    func sent(_ data: Data) {
        let newlines = data.reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        let line = state.withLock { state -> String? in
            state.bytes += data.count
            state.lines += newlines
            let now = ContinuousClock.now
            if let last = state.lastDrawn, now - last < ProgressFormat.interval { return nil }
            state.lastDrawn = now
            return render(state, now: now)
        }
        if ProgressFormat.onTerminal, let line { ProgressFormat.draw(line) }
    }

    func finish() {
        guard ProgressFormat.onTerminal else { return }
        ProgressFormat.draw(state.withLock { render($0, now: .now) }, final: true)
    }

    private func render(_ state: State, now: ContinuousClock.Instant) -> String {
        let elapsed = max(ProgressFormat.seconds(now - started), 0.001)
        let fraction = totalBytes > 0 ? min(Double(state.bytes) / Double(totalBytes), 1) : 1
        let rows = max(state.lines - headerLines, 0)
        let bytesPerSecond = Double(state.bytes) / elapsed
        let left = bytesPerSecond > 0 ? Double(totalBytes - state.bytes) / bytesPerSecond : 0
        return ProgressFormat.bar(fraction) + " "
            + String(format: "%3.0f%%  %d rows  %.0f rows/s  %@ left", fraction * 100, rows, Double(rows) / elapsed, ProgressFormat.clock(left))
    }
}
