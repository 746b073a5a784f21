import KinshipCore
import Testing

struct ExpiringCacheTests {
    @Test func anEntryIsServedUntilItsLifetimeHasPassed() {
        let cache = ExpiringCache<String, Int>(capacity: 10, lifetime: .seconds(30))
        let start = ContinuousClock.now
        cache.store(1, for: "a", now: start)
        #expect(cache.value(for: "a", now: start + .seconds(29)) == 1)
        #expect(cache.value(for: "a", now: start + .seconds(30)) == nil)
        #expect(cache.count == 0, "an expired entry is dropped when it is noticed")
    }

    @Test func whenFullTheOldestEntryMakesRoomOneAtATime() {
        let cache = ExpiringCache<Int, Int>(capacity: 3, lifetime: nil)
        for key in 1...3 { cache.store(key * 10, for: key) }
        cache.store(40, for: 4)
        #expect(cache.count == 3)
        #expect(cache.value(for: 1) == nil)
        #expect([2, 3, 4].map { cache.value(for: $0) } == [20, 30, 40])
    }

    @Test func aReplacedEntryCountsAsNewForEviction() {
        let cache = ExpiringCache<Int, Int>(capacity: 2, lifetime: nil)
        cache.store(1, for: 1)
        cache.store(2, for: 2)
        cache.store(11, for: 1)  // 1 is now the newest
        cache.store(3, for: 3)
        #expect(cache.value(for: 2) == nil)
        #expect(cache.value(for: 1) == 11 && cache.value(for: 3) == 3)
    }

    @Test func manyRefreshesOfFewKeysKeepThemAll() {
        let cache = ExpiringCache<Int, Int>(capacity: 100, lifetime: .seconds(1))
        var now = ContinuousClock.now
        for round in 0..<1_000 {
            for key in 0..<50 { cache.store(round, for: key, now: now) }
            now += .seconds(2)
        }
        #expect(cache.count == 50)
        #expect(cache.value(for: 7, now: now - .seconds(2)) == 999)
    }

    @Test func aLoadedValueIsStoredAndALoadThatFailsIsNot() async throws {
        let cache = ExpiringCache<String, Int>(capacity: 4, lifetime: nil)
        struct Failure: Error {}
        await #expect(throws: Failure.self) { try await cache.value(for: "k") { throw Failure() } }
        #expect(cache.value(for: "k") == nil)
        #expect(try await cache.value(for: "k") { 5 } == 5)
        #expect(try await cache.value(for: "k") { 6 } == 5)
    }

    /// What a slow load read may have changed while it ran (a source disabled, say): its value must not be
    /// trusted for longer than `lifetime` after it was read.
    @Test func aLoadedValuesLifetimeCountsFromWhenTheLoadBegan() async throws {
        let cache = ExpiringCache<String, Int>(capacity: 4, lifetime: .seconds(10))
        let before = ContinuousClock.now
        _ = try await cache.value(for: "k") {
            try await Task.sleep(for: .milliseconds(500))
            return 1
        }
        let after = ContinuousClock.now
        // The load began after `before` and ended at least 500 ms before `after`.
        #expect(cache.value(for: "k", now: before + .seconds(10) - .milliseconds(1)) == 1)
        #expect(cache.value(for: "k", now: after + .seconds(10) - .milliseconds(400)) == nil)
    }
}
