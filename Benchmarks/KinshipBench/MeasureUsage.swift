/// What the machine did during one measure: how its CPU was shared, the largest resident memory any of
/// the observed processes reached, and how long the measure took.
struct MeasureUsage: Sendable {
    let cpu: CPUShare
    let peakResidentKB: Int
    let seconds: Double

    init(cpu: CPUShare, peakResidentKB: Int, seconds: Double) {
        (self.cpu, self.peakResidentKB, self.seconds) = (cpu, peakResidentKB, seconds)
    }

    /// Measures run one after another, as one: the cores each used over their whole time, the highest peak.
    init(sequence usages: [MeasureUsage]) {
        cpu = CPUShare(weighting: usages.map { ($0.cpu, $0.seconds) })
        peakResidentKB = usages.map(\.peakResidentKB).max() ?? 0
        seconds = usages.reduce(0) { $0 + $1.seconds }
    }
}

/// Runs `body` while sampling the processes' memory every 100 ms; returns what it returned, their peak
/// memory and how the machine's CPU was shared meanwhile (the processes counted as the service).
func observing<T: Sendable>(
    _ pids: [Int32], postmaster: Int32?, _ body: () async throws -> T
) async throws -> (T, MeasureUsage) {
    let start = CPUSnapshot(services: pids, postmaster: postmaster)
    return try await withThrowingTaskGroup(of: Int.self) { group in
        group.addTask {
            var peak = 0
            while !Task.isCancelled {
                peak = max(peak, pids.compactMap(ProcessUsage.residentKB).max() ?? 0)
                try? await Task.sleep(for: .milliseconds(100))
            }
            return max(peak, pids.compactMap(ProcessUsage.residentKB).max() ?? 0)
        }
        let result = try await body()
        let end = CPUSnapshot(services: pids, postmaster: postmaster)
        group.cancelAll()
        let peak = try await group.next() ?? 0
        let seconds = (end.instant - start.instant).inMilliseconds / 1000
        return (result, MeasureUsage(cpu: CPUShare(from: start, to: end), peakResidentKB: peak, seconds: seconds))
    }
}
