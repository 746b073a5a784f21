import Synchronization

/// Counts handled messages and lets one waiter know when a target is reached.
final class HandledCounter: Sendable {
    let target: Int
    private let count = Atomic<Int>(0)
    private let reached: AsyncStream<Void>
    private let reachedContinuation: AsyncStream<Void>.Continuation

    init(target: Int) {
        self.target = target
        (reached, reachedContinuation) = AsyncStream.makeStream()
    }

    var value: Int { count.load(ordering: .relaxed) }

    func increment() {
        if count.wrappingAdd(1, ordering: .relaxed).newValue == target { reachedContinuation.finish() }
    }

    /// Returns once `target` messages were counted.
    func waitForTarget() async {
        for await _ in reached {}
    }

    /// Whether `target` was reached within `timeout`.
    func waitForTarget(upTo timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.waitForTarget()
                return true
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            defer { group.cancelAll() }
            return await group.next() ?? false
        }
    }
}
