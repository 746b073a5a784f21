import Foundation
import Synchronization

/// Events committed at a steady rate, open loop: when each one's commit returned, and in how many transactions.
struct SteadyCommits: Sendable {
    /// Event k's commit as its writer saw it return, in seconds since 1970 (the clock Postgres stamps rows with).
    let committed: [Double]
    let transactions: Int
    /// The first event's scheduled start, and the moment the last commit returned.
    let start: ContinuousClock.Instant
    let end: ContinuousClock.Instant

    /// Events committed per second, from the first scheduled start to the last commit.
    var achievedRate: Double { perSecond(committed.count, end - start) }
}

/// Commits events 0..<total at `rate` per second, open loop, with `writers` writers: each time a writer is
/// free it stores every event that is due and not yet taken in one transaction (`write`, as ingestion's
/// group commit does), and notes the wall-clock time the commit returned. A slow commit does not delay the
/// schedule: the next free writer takes everything that fell due meanwhile.
func commitSteadily(
    total: Int, rate: Int, writers: Int, _ write: @escaping @Sendable (Range<Int>) async throws -> Void
) async throws -> SteadyCommits {
    let schedule = SteadySchedule(total: total, rate: rate)
    var committed = [Double](repeating: 0, count: total)
    var transactions = 0
    try await withThrowingTaskGroup(of: [(Range<Int>, Double)].self) { group in
        for _ in 0..<writers {
            group.addTask {
                var commits: [(Range<Int>, Double)] = []
                while true {
                    switch schedule.take() {
                    case .done:
                        return commits
                    case .wait(let instant):
                        try await Task.sleep(until: instant, clock: .continuous)
                    case .group(let events):
                        try await write(events)
                        commits.append((events, Date().timeIntervalSince1970))
                    }
                }
            }
        }
        for try await commits in group {
            for (events, time) in commits {
                for k in events { committed[k] = time }
            }
            transactions += commits.count
        }
    }
    return SteadyCommits(committed: committed, transactions: transactions, start: schedule.start, end: .now)
}

/// The writers' shared schedule: event k is due at start + k / rate.
private final class SteadySchedule: Sendable {
    enum Take {
        /// Every event due now and not yet taken.
        case group(Range<Int>)
        /// None is due before this instant.
        case wait(ContinuousClock.Instant)
        case done
    }

    let total: Int
    let rate: Int
    let start = ContinuousClock.now
    private let taken = Mutex(0)

    init(total: Int, rate: Int) {
        self.total = total
        self.rate = rate
    }

    func take() -> Take {
        taken.withLock { taken in
            guard taken < total else { return .done }
            let due = min(total, Int(Double(rate) * (ContinuousClock.now - start).inMilliseconds / 1000) + 1)
            guard due > taken else { return .wait(start + Duration.seconds(1) / rate * taken) }
            defer { taken = due }
            return .group(taken..<due)
        }
    }
}
