import Foundation
import Synchronization

/// A token bucket per key (a source, a client address), in this process: `rate` per second, bursts of
/// `burst` (twice the rate unless given). Several processes of a service each allow the rate; size it as the total divided by the replicas.
///
/// At most `capacity` buckets are kept: a full bucket is the same as none, so when the map is full the
/// refilled ones go, and if none has refilled, the oldest-touched go (a flood of new keys, each of which
/// then starts with a full burst, which is what it would have had anyway after a pause).
public final class RateLimiter<Key: Hashable & Sendable>: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    public let rate: Double
    private let burst: Double
    private let capacity: Int
    private let buckets = Mutex<[Key: Bucket]>([:])

    /// `rate` 0 admits everything.
    public init(perSecond rate: Double, burst: Double? = nil, capacity: Int = 100_000) {
        self.rate = rate
        self.burst = burst ?? rate * 2
        self.capacity = capacity
    }

    /// Nil when admitted (and charged); otherwise how long until `cost` would be.
    public func admit(_ key: Key, cost: Int = 1) -> Duration? {
        guard rate > 0 else { return nil }
        let cost = min(Double(max(cost, 1)), burst)
        return withBucket(key) { bucket in
            guard bucket.tokens >= cost else { return .seconds((cost - bucket.tokens) / rate) }
            bucket.tokens -= cost
            return nil
        }
    }

    /// Spends `cost` (the bucket may go below zero, so repeated failures keep the key waiting; a debt is
    /// bounded by one burst, so a key is never kept out for longer than two bursts' time).
    public func charge(_ key: Key, cost: Int = 1) {
        guard rate > 0 else { return }
        withBucket(key) { $0.tokens = max($0.tokens - Double(cost), -burst) }
    }

    /// Gives back what an `admit` took, up to a full bucket: for a check paid before its outcome was known
    /// (a key lookup that turned out valid), so that concurrent checks cannot all pass on one credit.
    public func refund(_ key: Key, cost: Int = 1) {
        guard rate > 0 else { return }
        withBucket(key) { $0.tokens = min($0.tokens + Double(cost), burst) }
    }

    /// Spends `cost` whatever the bucket holds and says how long to wait before going on: for a stream
    /// (an import) that is paced rather than refused. Callers sharing a key queue up behind each other's debt.
    public func reserve(_ key: Key, cost: Int) -> Duration {
        guard rate > 0 else { return .zero }
        return withBucket(key) { bucket in
            bucket.tokens -= Double(cost)
            return bucket.tokens >= 0 ? .zero : .seconds(-bucket.tokens / rate)
        }
    }

    /// Runs `body` on the key's bucket, refilled to now, and keeps what it did (making room for a new key).
    private func withBucket<T>(_ key: Key, _ body: (inout Bucket) -> T) -> T {
        let now = ContinuousClock.now
        return buckets.withLock { buckets in
            var bucket = refilled(buckets[key] ?? Bucket(tokens: burst, updated: now), now: now)
            let result = body(&bucket)
            if buckets[key] == nil, buckets.count >= capacity { makeRoom(&buckets, now: now) }
            buckets[key] = bucket
            return result
        }
    }

    private func refilled(_ bucket: Bucket, now: ContinuousClock.Instant) -> Bucket {
        let elapsed = now - bucket.updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Bucket(tokens: min(burst, bucket.tokens + seconds * rate), updated: now)
    }

    private func makeRoom(_ buckets: inout [Key: Bucket], now: ContinuousClock.Instant) {
        buckets = buckets.filter { refilled($0.value, now: now).tokens < burst }
        guard buckets.count >= capacity else { return }
        let oldest = buckets.sorted { $0.value.updated < $1.value.updated }.prefix(buckets.count - capacity / 2)
        for (key, _) in oldest { buckets[key] = nil }
    }
}
