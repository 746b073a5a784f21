import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Runs `outbox-probe` workers as processes and kills, stops and adds them while messages flow: what a
/// deploy or a crashed pod does to a consumer group. Serialized because each test times leases and batches.
@Suite(.serialized)
struct OutboxProcessTests {
    /// How long a wait for messages to be handled may take. A consumer reads only messages older than every
    /// transaction still running in the cluster (`pg_snapshot_xmin`, across all its databases), so a long
    /// write of another suite running beside these (a demo shop loading in one transaction) holds every
    /// worker here back until it commits: these waits are for liveness, not speed.
    static let handlingWait = Duration.seconds(60)

    @Test func redeliversAfterAWorkerIsKilledMidBatch() async throws {
        try await ProbeBus.run(topic: OutboxTopic("orders", partitions: 4)) { bus in
            let keys = bus.keys(perPartition: 2)
            // 300 messages a partition: at 20 ms a message, each batch of 50 holds its transaction open for a second,
            // and the four partitions, handled side by side, keep worker A busy for six: long enough to catch it
            // mid-batch on a loaded machine.
            let total = 1200
            try await bus.produce(0..<total, keys: keys, perTransaction: 40)

            let a = try bus.startWorker("worker-a", delayMilliseconds: 20, batch: 50, leaseMilliseconds: 1500, heartbeatMilliseconds: 300)
            let committedOnce = try await poll(timeout: Self.handlingWait) { try await bus.handledCount() > 0 }
            try #require(committedOnce, "worker A committed no batch within \(Self.handlingWait); stderr: \(a.standardError)")
            // Kill it while a batch has inserted handled rows and not committed.
            let inFlight = try await poll(timeout: .seconds(10)) { try await bus.transactionsInsertingHandledRows() > 0 }
            try #require(inFlight, "worker A never held a writing transaction open")
            a.signal(SIGKILL)
            let killed = try await a.waitForExit(timeout: .seconds(5))
            try #require(killed != nil, "worker A still runs 5 s after SIGKILL")

            let committedByA = try await bus.handledCount()
            #expect(committedByA > 0 && committedByA < total, "worker A committed \(committedByA) of \(total) before it was killed")
            // The statistics count inserts that rolled back; the table does not: proof a batch was in flight.
            // The killed backend reports its rolled-back inserts when it exits, which a loaded machine can delay.
            let rolledBack = try await poll(timeout: .seconds(15)) { try await bus.insertsAttempted() > committedByA }
            let attempted = try await bus.insertsAttempted()
            #expect(rolledBack, "no insert of worker A rolled back, so it was not killed mid-batch: \(attempted) inserts, \(committedByA) rows")

            // Worker A's leases are still valid for up to 1.5 s: B must wait them out, then redeliver.
            let b = try bus.startWorker("worker-b", delayMilliseconds: 20, batch: 50, leaseMilliseconds: 1500, heartbeatMilliseconds: 300)
            let finished = try await bus.waitUntilAllHandled(total, timeout: Self.handlingWait)
            let handledCount = try await bus.handledCount()
            let owners = try await bus.owners()
            try #require(finished, "\(handledCount) of \(total) handled \(Self.handlingWait) after worker B started; owners \(owners); B stderr: \(b.standardError)")

            let handled = try await bus.handled()
            expectEachHandledOnceInKeyOrder(handled, count: total, keys: keys)
            #expect(handled.filter { $0.worker == "worker-a" }.count == committedByA, "rows of the killed worker changed after it died")
            #expect(handled.filter { $0.worker == "worker-b" }.count == total - committedByA)

            b.signal(SIGTERM)
            let stopped = try await b.waitForExit(timeout: .seconds(10))
            #expect(stopped == 0, "worker B exit status \(String(describing: stopped)) after SIGTERM; stderr: \(b.standardError)")
        }
    }

    @Test func twoWorkersShareThePartitionsWithoutDuplicatesOrLosses() async throws {
        let topic = OutboxTopic("orders", partitions: 8)
        try await ProbeBus.run(topic: topic) { bus in
            let keys = bus.keys(perPartition: 4)
            let all = Set(0..<topic.partitions)
            // Leases outlast every wait below: B gets A's partitions only because A hands them over.
            let lease = 15_000
            let a = try bus.startWorker("worker-a", delayMilliseconds: 2, batch: 20, leaseMilliseconds: lease)
            let producer = ContinuousProducer()
            try await withThrowingTaskGroup(of: Int.self) { tasks in
                tasks.addTask { try await producer.run(on: bus, keys: keys, perTransaction: 10, pause: .milliseconds(20), limit: 6000) }

                let aOwnsAll = try await poll(timeout: .seconds(10)) {
                    try await bus.owners() == Dictionary(uniqueKeysWithValues: all.map { ($0, "worker-a") })
                }
                var owners = try await bus.owners()
                try #require(aOwnsAll, "worker A alone does not own all partitions: \(owners); stderr: \(a.standardError)")
                // A handles something before B joins, or on a loaded machine it may not have started before it
                // hands its partitions over, and the split below would show nothing of it.
                let aHandled = try await poll(timeout: Self.handlingWait) { try await bus.handledCount() > 0 }
                try #require(aHandled, "worker A handled nothing in \(Self.handlingWait); stderr: \(a.standardError)")

                let b = try bus.startWorker("worker-b", delayMilliseconds: 2, batch: 20, leaseMilliseconds: lease)
                // One row a partition in outbox_leases, so no partition can have two owners; what can go wrong is the split.
                let split = try await poll(timeout: .seconds(10)) {
                    let owners = try await bus.owners()
                    return Set(owners.keys) == all && owners.values.filter { $0 == "worker-a" }.count == 4
                        && owners.values.filter { $0 == "worker-b" }.count == 4
                }
                owners = try await bus.owners()
                try #require(split, "the partitions are not split 4 and 4: \(owners); A stderr: \(a.standardError); B stderr: \(b.standardError)")

                let producedBeforeStop = producer.committed
                a.signal(SIGTERM)
                let stopped = try await a.waitForExit(timeout: .seconds(10))
                #expect(stopped == 0, "worker A exit status \(String(describing: stopped)) after SIGTERM; stderr: \(a.standardError)")
                let bOwnsAll = try await poll(timeout: .seconds(8)) {
                    try await bus.owners() == Dictionary(uniqueKeysWithValues: all.map { ($0, "worker-b") })
                }
                owners = try await bus.owners()
                try #require(bOwnsAll, "8 s after A stopped (its leases last 15 s) B does not own every partition: \(owners); B stderr: \(b.standardError)")

                // Messages committed after A stopped are what B must take over; how many the producer manages in a
                // given time depends on how busy the machine is, so the test waits for a count, generously.
                let target = producedBeforeStop + 300
                let producedMore = try await poll(timeout: .seconds(45)) { producer.committed >= target }
                try #require(producedMore, "the producer committed \(producer.committed) messages, not \(target), within 45 s")
                producer.stop()
                let total = try await tasks.next() ?? -1

                let finished = try await bus.waitUntilAllHandled(total, timeout: Self.handlingWait)
                let handledCount = try await bus.handledCount()
                try #require(finished, "\(handledCount) of \(total) handled \(Self.handlingWait) after production stopped; B stderr: \(b.standardError)")
                let handled = try await bus.handled()
                expectEachHandledOnceInKeyOrder(handled, count: total, keys: keys)
                let byWorker = Dictionary(grouping: handled, by: \.worker).mapValues(\.count)
                #expect(byWorker.keys.sorted() == ["worker-a", "worker-b"] && byWorker.values.allSatisfy { $0 > 0 }, "handled per worker: \(byWorker)")

                b.signal(SIGTERM)
                let stoppedB = try await b.waitForExit(timeout: .seconds(10))
                #expect(stoppedB == 0, "worker B exit status \(String(describing: stoppedB)) after SIGTERM; stderr: \(b.standardError)")
                let leases = try await bus.leases()
                #expect(leases.count == topic.partitions && leases.allSatisfy { $0.owner == nil }, "leases after both workers stopped: \(leases)")
            }
        }
    }

    @Test func aKilledWorkersPartitionsAreTakenOverAfterItsLeaseExpires() async throws {
        let topic = OutboxTopic("orders", partitions: 4)
        try await ProbeBus.run(topic: topic) { bus in
            let keys = bus.keys(perPartition: 2)
            let all = Set(0..<topic.partitions)
            // Leases long enough that B serves its own partitions within one even when the machine is busy
            // (the other end-to-end tests run beside this one).
            let a = try bus.startWorker("worker-a", leaseMilliseconds: 4000)
            let aOwnsAll = try await poll(timeout: .seconds(10)) { Set(try await bus.owners().keys) == all }
            let ownersOfA = try await bus.owners()
            try #require(aOwnsAll, "worker A does not own all partitions: \(ownersOfA); stderr: \(a.standardError)")
            let b = try bus.startWorker("worker-b", leaseMilliseconds: 4000)
            let split = try await poll(timeout: .seconds(10)) {
                let owners = try await bus.owners()
                return Set(owners.keys) == all && Set(owners.values) == ["worker-a", "worker-b"]
                    && owners.values.filter { $0 == "worker-a" }.count == 2
            }
            let owners = try await bus.owners()
            try #require(split, "the partitions are not split 2 and 2: \(owners); A stderr: \(a.standardError); B stderr: \(b.standardError)")

            a.signal(SIGKILL)
            let killed = try await a.waitForExit(timeout: .seconds(5))
            try #require(killed != nil, "worker A still runs 5 s after SIGKILL")
            let leasesOfA = try await bus.leases().filter { $0.owner == "worker-a" }
            try #require(leasesOfA.count == 2, "worker A held \(leasesOfA) when it was killed")
            let expiryOfA = Dictionary(uniqueKeysWithValues: leasesOfA.map { ($0.partition, $0.expiresAt) })

            let total = 80
            try await bus.produce(0..<total, keys: keys, perTransaction: 8)
            let finished = try await bus.waitUntilAllHandled(total, timeout: Self.handlingWait)
            let handledCount = try await bus.handledCount()
            try #require(finished, "\(handledCount) of \(total) handled \(Self.handlingWait) after worker A was killed; B stderr: \(b.standardError)")
            let ownersAfter = try await bus.owners()
            #expect(ownersAfter == Dictionary(uniqueKeysWithValues: all.map { ($0, "worker-b") }), "owners after the takeover: \(ownersAfter)")

            let handled = try await bus.handled()
            expectEachHandledOnceInKeyOrder(handled, count: total, keys: keys)
            #expect(handled.allSatisfy { $0.worker == "worker-b" })
            let early = handled.filter { message in
                expiryOfA[topic.partition(for: message.key)].map { message.handledAt <= $0 } ?? false
            }
            #expect(early.isEmpty, "B handled \(early.count) messages of A's partitions before A's leases expired at \(expiryOfA)")
            // Meanwhile B went on with its own partitions: the wait was per partition, not for the group.
            let firstExpiry = expiryOfA.values.min() ?? .distantPast
            let servedMeanwhile = handled.contains { expiryOfA[topic.partition(for: $0.key)] == nil && $0.handledAt < firstExpiry }
            #expect(servedMeanwhile, "B handled none of its own partitions' messages before A's leases expired at \(firstExpiry)")
        }
    }
}
