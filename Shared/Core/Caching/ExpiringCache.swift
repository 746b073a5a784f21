import Synchronization

/// A bounded, thread-safe map whose entries expire: Kinship's one cache of things that are costly to
/// look up (a write key's source, a workspace's keys, a parsed user agent).
///
/// When full, the oldest entry goes, one at a time: a burst of new keys (random write keys, say) evicts
/// what it must and no more, instead of emptying the cache. With one lifetime for all entries, the oldest
/// is also the first to expire.
public final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    @usableFromInline struct Entry {
        @usableFromInline var value: Value
        @usableFromInline var expires: ContinuousClock.Instant?
        @usableFromInline var sequence: UInt64

        @inlinable init(value: Value, expires: ContinuousClock.Instant?, sequence: UInt64) {
            self.value = value
            self.expires = expires
            self.sequence = sequence
        }
    }

    @usableFromInline struct State {
        @usableFromInline var entries: [Key: Entry] = [:]
        /// Keys in the order they were stored; a pair whose sequence is no longer its key's is stale.
        @usableFromInline var order: [(key: Key, sequence: UInt64)] = []
        @usableFromInline var head = 0
        @usableFromInline var nextSequence: UInt64 = 0

        @inlinable init() {}
    }

    public let capacity: Int
    /// How long an entry is used after it was stored; nil: until it is evicted.
    public let lifetime: Duration?
    @usableFromInline let state = Mutex(State())

    public init(capacity: Int, lifetime: Duration?) {
        precondition(capacity > 0, "a cache holds at least one entry")
        self.capacity = capacity
        self.lifetime = lifetime
    }

    /// The value stored for `key`, unless it has expired. Inlinable, like `store`: a lookup runs for every
    /// request, and specialised for its key and value it hashes without going through witness tables.
    @inlinable public func value(for key: Key, now: ContinuousClock.Instant = .now) -> Value? {
        state.withLock { state in
            guard let entry = state.entries[key] else { return nil }
            if let expires = entry.expires, expires <= now {
                state.entries[key] = nil
                return nil
            }
            return entry.value
        }
    }

    /// Stores `value` for `key`, evicting the oldest entries beyond `capacity`.
    @inlinable public func store(_ value: Value, for key: Key, now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            let sequence = state.nextSequence
            state.nextSequence += 1
            state.entries[key] = Entry(value: value, expires: lifetime.map { now + $0 }, sequence: sequence)
            state.order.append((key, sequence))
            while state.entries.count > capacity, state.head < state.order.count {
                let oldest = state.order[state.head]
                state.head += 1
                if state.entries[oldest.key]?.sequence == oldest.sequence { state.entries[oldest.key] = nil }
            }
            // Keep the order list near the size of the map: drop what was evicted, replaced or expired.
            if state.order.count - state.head > 2 * capacity || (state.head > 1024 && state.head * 2 > state.order.count) {
                let entries = state.entries
                state.order = state.order[state.head...].filter { entries[$0.key]?.sequence == $0.sequence }
                state.head = 0
            }
        }
    }

    /// The value for `key`: the stored one, or `load()`'s, then stored. Concurrent misses may each load.
    /// A loaded value's lifetime counts from when the load began, not when it ended: what it read may have
    /// changed meanwhile, and `lifetime` is how stale a value may ever be.
    @inlinable public func value(for key: Key, load: () async throws -> Value) async throws -> Value {
        let started = ContinuousClock.Instant.now
        if let known = value(for: key, now: started) { return known }
        let loaded = try await load()
        store(loaded, for: key, now: started)
        return loaded
    }

    /// The number of entries held, expired ones not yet noticed included.
    public var count: Int {
        state.withLock { $0.entries.count }
    }
}
