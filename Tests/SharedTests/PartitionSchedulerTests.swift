@testable import KinshipCore
@testable import KinshipOutbox
import Testing

@Suite struct PartitionSchedulerTests {
    @Test func newlyOwnedPartitionsAreHandedOutInOrder() async {
        let scheduler = PartitionScheduler(pollInterval: .seconds(1))
        scheduler.own([2, 0, 1])
        let first = await scheduler.next()
        let second = await scheduler.next()
        let third = await scheduler.next()
        #expect([first, second, third] == [0, 1, 2])
    }

    @Test func aPartitionInHandIsNeverHandedToASecondWorker() async throws {
        let scheduler = PartitionScheduler(pollInterval: .seconds(1))
        scheduler.own([0, 1])
        let taken = await scheduler.next()
        let other = await scheduler.next()
        #expect(taken == 0 && other == 1)
        scheduler.mark([0, 1])
        let handed = Flag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { handed.set(await scheduler.next() ?? -1) }
            try await Task.sleep(for: .milliseconds(100))
            #expect(handed.value == 0, "both partitions are in hand: a second worker must wait")
            scheduler.finished(1, then: .rest)
            try await group.next()
        }
        #expect(handed.value == 1)
    }

    @Test func aMarkWhileInHandQueuesThePartitionAgainWhenItsWorkerFinishes() async {
        let scheduler = PartitionScheduler(pollInterval: .seconds(1))
        scheduler.own([5])
        let taken = await scheduler.next()
        #expect(taken == 5)
        scheduler.mark([5])
        scheduler.finished(5, then: .rest)
        let again = await scheduler.next()
        #expect(again == 5)
    }

    @Test func restingPartitionsWaitForAMark() async throws {
        let scheduler = PartitionScheduler(pollInterval: .seconds(1))
        scheduler.own([3])
        _ = await scheduler.next()
        scheduler.finished(3, then: .rest)
        let handed = Flag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                if await scheduler.next() == 3 { handed.increment() }
            }
            try await Task.sleep(for: .milliseconds(100))
            #expect(handed.value == 0)
            scheduler.mark([3])
            try await group.next()
        }
        #expect(handed.value == 1)
    }

    @Test func aBackingOffPartitionIgnoresMarksUntilItsTimerFires() async throws {
        let scheduler = PartitionScheduler(pollInterval: .seconds(1))
        scheduler.own([7])
        _ = await scheduler.next()
        scheduler.finished(7, then: .backOff(.milliseconds(50)))
        scheduler.mark([7])
        scheduler.markAll()
        let due = scheduler.fireTimers()
        #expect(due != nil)
        try await Task.sleep(for: .milliseconds(60))
        #expect(scheduler.fireTimers() == nil)
        let next = await scheduler.next()
        #expect(next == 7)
    }

    @Test func aCommitElsewhereWakesAPartitionWaitingBehindOlderTransactions() async {
        let scheduler = PartitionScheduler(pollInterval: .seconds(10))
        scheduler.own([2, 6])
        _ = await scheduler.next()
        _ = await scheduler.next()
        scheduler.finished(2, then: .waitForOlderTransactions)
        scheduler.finished(6, then: .rest)
        scheduler.commitSeen()
        let woken = await scheduler.next()
        #expect(woken == 2, "the waiting partition looks again at once; the resting one stays asleep")
        scheduler.commitSeen()
        scheduler.finished(2, then: .waitForOlderTransactions)
        let again = await scheduler.next()
        #expect(again == 2, "a commit seen while the batch was in hand counts when it ends up waiting")
    }

    @Test func aCommitSeenInHandDoesNotRequeueADrainedPartition() async throws {
        let scheduler = PartitionScheduler(pollInterval: .seconds(10))
        scheduler.own([1])
        _ = await scheduler.next()
        scheduler.commitSeen()
        scheduler.finished(1, then: .rest)
        let handed = Flag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                if await scheduler.next() == 1 { handed.increment() }
            }
            try await Task.sleep(for: .milliseconds(100))
            #expect(handed.value == 0)
            scheduler.mark([1])
            try await group.next()
        }
        #expect(handed.value == 1)
    }

    @Test func behindALongTransactionCommitsElsewhereStopWakingThePartition() async throws {
        let scheduler = PartitionScheduler(pollInterval: .seconds(10))
        scheduler.own([4])
        for _ in 0..<PartitionScheduler.shortWaits {
            _ = await scheduler.next()
            scheduler.finished(4, then: .waitForOlderTransactions)
            scheduler.commitSeen()
        }
        _ = await scheduler.next()
        scheduler.finished(4, then: .waitForOlderTransactions)
        scheduler.commitSeen()
        // No coordinator runs here, so only the commit could hand the partition out again.
        let handed = Flag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { if await scheduler.next() == 4 { handed.increment() } }
            try await Task.sleep(for: .milliseconds(100))
            #expect(handed.value == 0, "after \(PartitionScheduler.shortWaits) waits it keeps to its timer")
            scheduler.close()
            try await group.next()
        }
    }

    @Test func partitionsGivenUpDropTheirTimers() async {
        let scheduler = PartitionScheduler(pollInterval: .seconds(10))
        scheduler.own([0, 1])
        _ = await scheduler.next()
        _ = await scheduler.next()
        scheduler.finished(0, then: .waitForOlderTransactions)
        scheduler.finished(1, then: .backOff(.seconds(5)))
        #expect(scheduler.fireTimers() != nil)
        scheduler.own([])
        #expect(scheduler.fireTimers() == nil, "a timer of a partition no longer owned would wake the coordinator for ever")
    }

    @Test func unownedPartitionsAreNeverHandedOut() async {
        let scheduler = PartitionScheduler(pollInterval: .seconds(1))
        scheduler.own([1])
        scheduler.mark([4, 9])
        scheduler.own([])
        scheduler.markAll()
        scheduler.close()
        let next = await scheduler.next()
        #expect(next == nil)
    }
}
