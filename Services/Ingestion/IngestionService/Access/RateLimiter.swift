import Foundation
import Synchronization

/// A token bucket per key (a source, a client address), in this process: `rate` per second, bursts of
/// `burst` (twice the rate unless given). Several ingestion processes each allow the rate; size it as the total divided by the replicas.
///
/// At most `capacity` buckets are kept: a full bucket is the same as none, so when the map is full the
/// refilled ones go, and if none has refilled, the oldest-touched go (a flood of new keys, each of which
/// then starts with a full burst, which is what it would have had anyway after a pause).
final class RateLimiter<Key: Hashable & Sendable>: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let rate: Double
    private let burst: Double
    private let capacity: Int
    private let buckets = Mutex<[Key: Bucket]>([:])

    /// `rate` 0 admits everything.
    init(perSecond rate: Double, burst: Double? = nil, capacity: Int = 100_000) {
        self.rate = rate
        self.burst = burst ?? rate * 2
        self.capacity = capacity
    }

    /// Nil when admitted (and charged); otherwise how long until `cost` would be.
    func admit(_ key: Key, cost: Int = 1) -> Duration? {
        charge(key, cost: cost, onlyIfAvailable: true)
    }

    /// Whether `key` could spend one now, without spending it.
    func hasCredit(_ key: Key) -> Bool {
        guard rate > 0 else { return true }
        let now = ContinuousClock.now
        return buckets.withLock { buckets in
            guard let bucket = buckets[key] else { return true }
            return refilled(bucket, now: now).tokens >= 1
        }
    }

    /// Spends `cost` (the bucket may go below zero, so repeated failures keep the key waiting).
    func charge(_ key: Key, cost: Int = 1) {
        _ = charge(key, cost: cost, onlyIfAvailable: false)
    }

    /// Spends `cost` whatever the bucket holds and says how long to wait before going on: for a stream
    /// (an import) that is paced rather than refused. Callers sharing a key queue up behind each other's debt.
    func reserve(_ key: Key, cost: Int) -> Duration {
        guard rate > 0 else { return .zero }
        let now = ContinuousClock.now
        return buckets.withLock { buckets in
            var bucket = refilled(buckets[key] ?? Bucket(tokens: burst, updated: now), now: now)
            bucket.tokens -= Double(cost)
            if buckets[key] == nil, buckets.count >= capacity { makeRoom(&buckets, now: now) }
            buckets[key] = bucket
            return bucket.tokens >= 0 ? .zero : .seconds(-bucket.tokens / rate)
        }
    }

    private func charge(_ key: Key, cost: Int, onlyIfAvailable: Bool) -> Duration? {
        guard rate > 0 else { return nil }
        let now = ContinuousClock.now
        let cost = min(Double(max(cost, 1)), burst)
        return buckets.withLock { buckets in
            var bucket = refilled(buckets[key] ?? Bucket(tokens: burst, updated: now), now: now)
            defer {
                if buckets[key] == nil, buckets.count >= capacity { makeRoom(&buckets, now: now) }
                buckets[key] = bucket
            }
            if bucket.tokens >= cost || !onlyIfAvailable {
                // A debt is bounded by one burst: a key is never kept out for longer than two bursts' time.
                bucket.tokens = max(bucket.tokens - cost, -burst)
                return nil
            }
            return .seconds((cost - bucket.tokens) / rate)
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
