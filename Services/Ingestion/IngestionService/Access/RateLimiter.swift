import Foundation
import Synchronization

/// A token bucket per source, in this process: `rate` messages per second, bursts of twice that.
/// Several ingestion processes each allow the rate; size it as the total divided by the replicas.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let rate: Double
    private let burst: Double
    private let buckets = Mutex<[UUID: Bucket]>([:])

    /// `rate` 0 admits everything.
    init(messagesPerSecond rate: Int) {
        self.rate = Double(rate)
        self.burst = Double(rate) * 2
    }

    /// Nil when admitted (and charged); otherwise how long until `cost` messages would be.
    func admit(_ source: UUID, cost: Int) -> Duration? {
        guard rate > 0 else { return nil }
        let now = ContinuousClock.now
        let cost = min(Double(max(cost, 1)), burst)
        return buckets.withLock { buckets in
            var bucket = buckets[source] ?? Bucket(tokens: burst, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(burst, bucket.tokens + seconds * rate)
            bucket.updated = now
            defer { buckets[source] = bucket }
            if bucket.tokens >= cost {
                bucket.tokens -= cost
                return nil
            }
            return .seconds((cost - bucket.tokens) / rate)
        }
    }
}
