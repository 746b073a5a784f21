import KinshipCore
import KinshipDatabase
import Synchronization

/// The work queue of one consumer: which owned partitions have something to do, handed to a fixed
/// number of workers so that no partition is ever processed by two of them at once.
///
/// A partition is marked when a notification names it, when the fallback poll comes round, when a
/// timer set by its last batch fires, or when its last batch progressed (it may hold more). A partition
/// marked while a worker has it is queued again when that worker finishes, so no wake-up is lost.
final class PartitionScheduler: Sendable {
    /// What to do with a partition after a batch.
    enum Followup: Sendable {
        /// It made progress: queue it again, behind the others.
        case again
        /// Nothing is waiting: rest until marked.
        case rest
        /// A handler failed: leave it alone (marks ignored) for this long.
        case backOff(Duration)
        /// Committed messages wait behind an older running transaction: look again soon, sooner if marked.
        case waitForOlderTransactions
    }

    private typealias Handoff = (CheckedContinuation<Int?, Never>, Int)

    private struct State {
        var owned: Set<Int> = []
        var queue: [Int] = []
        var queued: Set<Int> = []
        var inFlight: Set<Int> = []
        var markedInFlight: Set<Int> = []
        var backingOff: [Int: ContinuousClock.Instant] = [:]
        var lookAgain: [Int: ContinuousClock.Instant] = [:]
        /// In flight when some transaction committed: if the batch finds itself waiting behind an older
        /// transaction, that commit may have been the one, so it looks again at once.
        var commitSeenInFlight: Set<Int> = []
        var waitStreak: [Int: Int] = [:]
        var waiters: [Int: CheckedContinuation<Int?, Never>] = [:]
        var nextWaiter = 0
        var closed = false

        mutating func enqueue(_ partition: Int) {
            guard owned.contains(partition), backingOff[partition] == nil else { return }
            lookAgain[partition] = nil
            if inFlight.contains(partition) {
                markedInFlight.insert(partition)
            } else if queued.insert(partition).inserted {
                queue.append(partition)
            }
        }

        /// Hands queued work to waiting workers; the caller resumes them outside the lock.
        mutating func dispatch() -> [Handoff] {
            var handed: [Handoff] = []
            while !queue.isEmpty, let waiter = waiters.first {
                waiters[waiter.key] = nil
                let partition = queue.removeFirst()
                queued.remove(partition)
                inFlight.insert(partition)
                handed.append((waiter.value, partition))
            }
            return handed
        }
    }

    private let state = Mutex(State())
    /// Rung when a timer is set, so the coordinator sleeping until the earliest one recomputes it.
    let timerSet = WakeUpSignal()
    private let pollInterval: Duration

    init(pollInterval: Duration) {
        self.pollInterval = pollInterval
    }

    var owned: [Int] { state.withLock { $0.owned.sorted() } }

    /// Replaces the owned set (after a heartbeat); newly owned partitions are marked.
    func own(_ partitions: [Int]) {
        update { state in
            let owned = Set(partitions)
            let added = owned.subtracting(state.owned)
            state.owned = owned
            state.queue.removeAll { !owned.contains($0) }
            state.queued.formIntersection(owned)
            // Timers of partitions given up would never be cleared (they cannot be queued) and would keep
            // the coordinator waking at once.
            state.lookAgain = state.lookAgain.filter { owned.contains($0.key) }
            state.backingOff = state.backingOff.filter { owned.contains($0.key) }
            state.waitStreak = state.waitStreak.filter { owned.contains($0.key) }
            for partition in partitions.sorted() where added.contains(partition) { state.enqueue(partition) }
        }
    }

    /// Asks for the given partitions (those owned and not backing off) to be processed soon.
    func mark(_ partitions: some Sequence<Int>) {
        update { state in
            for partition in partitions { state.enqueue(partition) }
        }
    }

    /// A transaction committed somewhere (a notification arrived, of any topic): partitions waiting
    /// behind older transactions look again now rather than when their timer fires, since the commit
    /// may have been the one they wait for.
    /// Only while a partition has waited briefly: behind a long transaction, commits elsewhere keep
    /// coming and are not the one it waits for, so it keeps to its growing timer instead of re-reading at
    /// the rate of notifications.
    func commitSeen() {
        update { state in
            for partition in state.lookAgain.keys.sorted() where state.waitStreak[partition, default: 0] <= Self.shortWaits {
                state.enqueue(partition)
            }
            state.commitSeenInFlight.formUnion(state.inFlight)
        }
    }

    /// Consecutive waits (5, 10, 20 ms …) during which a commit elsewhere still wakes a waiting partition.
    static let shortWaits = 3

    func markAll() {
        update { state in
            for partition in state.owned.sorted() { state.enqueue(partition) }
        }
    }

    /// A worker is done with a partition for now.
    func finished(_ partition: Int, then followup: Followup) {
        let now = ContinuousClock.now
        var timerWasSet = false
        update { state in
            state.inFlight.remove(partition)
            let markedMeanwhile = state.markedInFlight.remove(partition) != nil
            let commitSeenMeanwhile = state.commitSeenInFlight.remove(partition) != nil
            if case .waitForOlderTransactions = followup {} else { state.waitStreak[partition] = nil }
            switch followup {
            case .again:
                state.enqueue(partition)
            case .rest:
                if markedMeanwhile { state.enqueue(partition) }
            case .backOff(let delay):
                state.backingOff[partition] = now + delay
                timerWasSet = true
            case .waitForOlderTransactions:
                // 5, 10, 20 … ms up to the poll interval: prompt when the blocker is a short producer
                // transaction, no busy loop when it is a long one.
                let streak = state.waitStreak[partition, default: 0]
                state.waitStreak[partition] = streak + 1
                if markedMeanwhile || (commitSeenMeanwhile && streak < Self.shortWaits) {
                    state.enqueue(partition)
                } else {
                    state.lookAgain[partition] = now + min(pollInterval, .milliseconds(5) * (1 << min(streak, 16)))
                    timerWasSet = true
                }
            }
        }
        if timerWasSet { timerSet.ring() }
    }

    /// Marks the partitions whose timers are due; returns when the next timer falls due, if any.
    func fireTimers(now: ContinuousClock.Instant = .now) -> ContinuousClock.Instant? {
        var earliest: ContinuousClock.Instant?
        update { state in
            var due = Set(state.lookAgain.filter { $0.value <= now }.keys)
            for partition in due { state.lookAgain[partition] = nil }
            for (partition, end) in state.backingOff where end <= now {
                state.backingOff[partition] = nil
                due.insert(partition)
            }
            for partition in due.sorted() { state.enqueue(partition) }
            earliest = (Array(state.backingOff.values) + Array(state.lookAgain.values)).min()
        }
        return earliest
    }

    /// The next partition to process; nil once closed or when the task is cancelled.
    func next() async -> Int? {
        let id = state.withLock { state -> Int in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let handed = state.withLock { state -> [Handoff]? in
                    if state.closed || Task.isCancelled { return nil }
                    state.waiters[id] = continuation
                    return state.dispatch()
                }
                guard let handed else { return continuation.resume(returning: nil) }
                for (waiter, partition) in handed { waiter.resume(returning: partition) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(returning: nil)
        }
    }

    /// Ends every `next()`, now and later.
    func close() {
        let waiters = state.withLock { state -> [CheckedContinuation<Int?, Never>] in
            state.closed = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    private func update(_ change: (inout State) -> Void) {
        let handed = state.withLock { state -> [Handoff] in
            change(&state)
            return state.dispatch()
        }
        for (waiter, partition) in handed { waiter.resume(returning: partition) }
    }
}
