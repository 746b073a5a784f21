import Foundation

extension SegmentationBenchmark {
    /// Polls `check` every `every` until it answers done, reporting its count every 10 s. When the count
    /// has not changed for `stallSeconds`, the wait fails (`failOnStall`, for set-up) or ends, answering
    /// false (for a measure, whose figures then say what is missing). Answers whether it was done.
    func waitUntil(
        _ label: String, every: Duration, failOnStall: Bool, _ check: () async throws -> (count: Int, done: Bool)
    ) async throws -> Bool {
        var lastReport = ContinuousClock.now
        var (lastCount, lastChange) = (-1, ContinuousClock.now)
        while true {
            let (count, done) = try await check()
            if done { return true }
            if count != lastCount {
                (lastCount, lastChange) = (count, .now)
            } else if ContinuousClock.now - lastChange > .seconds(configuration.stallSeconds) {
                let message = "\(label): stalled at \(count) for \(configuration.stallSeconds) s"
                if failOnStall { throw BenchFailure(message) }
                progress("  \(message); giving up")
                return false
            }
            if ContinuousClock.now - lastReport >= .seconds(10) {
                lastReport = .now
                progress("  \(label): \(count)")
            }
            try await Task.sleep(for: every)
        }
    }
}
