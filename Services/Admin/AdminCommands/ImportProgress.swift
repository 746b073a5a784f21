import Foundation
import Synchronization

/// The progress bar of `kinship import` on a terminal (standard error): percent, rows, rows/s, time left.
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
    private let onTerminal = isatty(STDERR_FILENO) == 1

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
            if let last = state.lastDrawn, now - last < .milliseconds(200) { return nil }
            state.lastDrawn = now
            return render(state, now: now)
        }
        if onTerminal, let line { FileHandle.standardError.write(Data(("\r" + line).utf8)) }
    }

    func finish() {
        guard onTerminal else { return }
        let line = state.withLock { render($0, now: .now) }
        FileHandle.standardError.write(Data(("\r" + line + "\n").utf8))
    }

    private func render(_ state: State, now: ContinuousClock.Instant) -> String {
        let elapsed = max(seconds(now - started), 0.001)
        let fraction = totalBytes > 0 ? min(Double(state.bytes) / Double(totalBytes), 1) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let rows = max(state.lines - headerLines, 0)
        let bytesPerSecond = Double(state.bytes) / elapsed
        let left = bytesPerSecond > 0 ? Double(totalBytes - state.bytes) / bytesPerSecond : 0
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            + String(format: "%3.0f%%  %d rows  %.0f rows/s  %@ left", fraction * 100, rows, Double(rows) / elapsed, clock(left))
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return String(format: "%d:%02d", total / 60, total % 60)
    }
}
