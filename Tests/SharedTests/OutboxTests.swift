import Foundation
import KinshipTestSupport
import PostgresNIO
import Testing
@testable import KinshipCore
@testable import KinshipPrivacy
@testable import KinshipDatabase
@testable import KinshipOutbox
@testable import KinshipInternalClient
@testable import KinshipService

struct OutboxTests {
    @Test func messagesBecomeVisibleExactlyWhenTheirTransactionCommits() async throws {
        try await OutboxFixture.run { fixture in
            let topic = OutboxTopic("visibility", partitions: 2)
            struct Abort: Error {}
            _ = try? await fixture.client.transaction(logger: fixture.logger) { connection in
                try await Outbox.append([OutboxDraft(topic: topic, workspaceID: UUID(), key: "a", payload: #"{"n":"rolled back"}"#)], on: connection, logger: fixture.logger)
                throw Abort()
            }
            try await fixture.produce(topic, key: "a", payload: #"{"n":"committed"}"#)
            let done = try await fixture.running([fixture.consumer("g", topic)]) { try await fixture.handled("g").count >= 1 }
            #expect(done)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await fixture.handled("g").map(\.payload) == [#"{"n": "committed"}"#])
        }
    }

    /// With the fallback poll a minute away, only the wake-ups that committed appends send (coalesced
    /// across concurrent commits by `NotificationSender`) can bring every message to the consumer.
    @Test func committedAppendsWakeTheConsumerWithoutItsPoll() async throws {
        try await OutboxFixture.run { fixture in
            let topic = OutboxTopic("wake-ups", partitions: 4)
            var options = OutboxFixture.fastOptions
            options.pollInterval = .seconds(60)
            let producers = 8, perProducer = 10
            let done = try await fixture.running([fixture.consumer("g", topic, options: options)], timeout: .seconds(20)) {
                try await fixture.count("SELECT count(*)::int FROM handled") >= producers * perProducer
            } startingWith: {
                // Once the consumer listens and has read its empty partitions, they rest until woken.
                try await fixture.waitUntilListening(group: "g", topic: topic)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for producer in 0..<producers {
                        group.addTask {
                            for n in 0..<perProducer {
                                try await fixture.produce(topic, key: "p\(producer)-\(n)", payload: #"{"n":\#(n)}"#)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            #expect(done, "messages were left waiting for the poll")
        }
    }

    /// A producer that appends its outbox rows in a statement of its own, committed alone, wakes the
    /// consumer with `Outbox.announce`; with the poll a minute away nothing else would.
    @Test func rowsAppendedByTheProducersOwnStatementAreAnnounced() async throws {
        try await OutboxFixture.run { fixture in
            let topic = OutboxTopic("announced", partitions: 4)
            var options = OutboxFixture.fastOptions
            options.pollInterval = .seconds(60)
            let keys = (0..<12).map { "k\($0)" }
            let done = try await fixture.running([fixture.consumer("g", topic, options: options)], timeout: .seconds(20)) {
                try await fixture.count("SELECT count(*)::int FROM handled") >= keys.count
            } startingWith: {
                try await fixture.waitUntilListening(group: "g", topic: topic)
                for key in keys {
                    let partition = Int32(topic.partition(for: key))
                    try await fixture.client.query(
                        "INSERT INTO outbox (topic, partition, workspace_id, key, payload) VALUES (\(topic.name), \(partition), \(UUID()), \(key), '{}')",
                        logger: fixture.logger
                    )
                    Outbox.announce(topic, partitions: [partition], via: fixture.client, logger: fixture.logger)
                }
            }
            #expect(done, "announced rows were left waiting for the poll")
        }
    }

    /// Sequence ids are taken before commit, so transactions commit out of id order; each producer here
    /// holds its transaction open for a random while after appending, while a consumer reads throughout.
    @Test func noMessageIsSkippedWhenConcurrentTransactionsCommitOutOfOrder() async throws {
        try await OutboxFixture.run { fixture in
            let topic = OutboxTopic("gaps", partitions: 1)
            let producers = 16, perProducer = 25
            let done = try await fixture.running([fixture.consumer("g", topic)], timeout: .seconds(60)) {
                try await fixture.count("SELECT count(*)::int FROM handled") >= producers * perProducer
            } startingWith: {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for producer in 0..<producers {
                        group.addTask {
                            for n in 0..<perProducer {
                                try await fixture.client.transaction(logger: fixture.logger) { connection in
                                    try await Outbox.append(
                                        [OutboxDraft(topic: topic, workspaceID: UUID(), key: "p\(producer)", payload: #"{"n":\#(n)}"#)],
                                        on: connection, logger: fixture.logger
                                    )
                                    try await Task.sleep(for: .milliseconds(Int.random(in: 0...40)))
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            #expect(done, "not every message was delivered")
            let produced = Set(try await fixture.client.query("SELECT id FROM outbox", logger: fixture.logger).decode(Int64.self).collectAll())
            let handled = try await fixture.handled("g").map(\.id)
            #expect(produced.count == producers * perProducer)
            let missing = produced.subtracting(handled)
            #expect(missing.isEmpty, "never delivered: \(missing.sorted())")
            #expect(handled.count == produced.count, "a message was handled twice")
        }
    }

    /// Transaction ids compare as numbers, not text: across 99 → 100 the text order is wrong ("100" < "99").
    @Test func orderFollowsTransactionIdsAcrossAPowerOfTen() async throws {
        try await OutboxFixture.run { fixture in
            let topic = OutboxTopic("xid-order", partitions: 1)
            try await fixture.client.query(
                """
                INSERT INTO outbox (tx_id, topic, partition, workspace_id, key, payload)
                SELECT x::text::xid8, 'xid-order', 0, gen_random_uuid(), 'k', jsonb_build_object('tx', x)
                FROM generate_series(98, 101) AS x
                """,
                logger: fixture.logger
            )
            var options = OutboxFixture.fastOptions
            options.batchSize = 2
            let done = try await fixture.running([fixture.consumer("g", topic, options: options)]) {
                try await fixture.handled("g").count >= 4
            }
            #expect(done)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await fixture.handled("g").map(\.payload) == (98...101).map { #"{"tx": \#($0)}"# })
            let pruned = try await OutboxPruner(database: fixture.client, logger: fixture.logger).pruneOnce()
            #expect(pruned == 4)
        }
    }

    @Test func messagesOfOneKeyArriveInOrder() async throws {
        try await OutboxFixture.run { fixture in
            let topic = OutboxTopic("order", partitions: 4)
            let keys = (0..<6).map { "customer-\($0)" }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for key in keys {
                    group.addTask { for n in 0..<30 { try await fixture.produce(topic, key: key, payload: #"{"n":\#(n)}"#) } }
                }
                try await group.waitForAll()
            }
            let done = try await fixture.running([fixture.consumer("g", topic)]) { try await fixture.count("SELECT count(*)::int FROM handled") >= 180 }
            #expect(done)
            let handled = try await fixture.handled("g")
            for key in keys {
                let sequence = handled.filter { $0.key == key }.map(\.payload)
                #expect(sequence == (0..<30).map { #"{"n": \#($0)}"# }, "\(key) out of order")
            }
        }
    }

    @Test func aFailingMessageIsRetriedThenDeadLetteredAndTheGroupMovesOn() async throws {
        try await OutboxFixture.run { fixture in
            let topic = OutboxTopic("poison", partitions: 1)
            for n in 0..<5 { try await fixture.produce(topic, key: "k", payload: n == 2 ? #"{"poison":true}"# : #"{"n":\#(n)}"#) }
            var options = OutboxFixture.fastOptions
            options.maxAttempts = 3
            let attempts = Flag()
            struct Poisoned: Error {}
            let failing = fixture.consumer("failing", topic, options: options) { message in
                if message.payload.contains("poison") {
                    attempts.increment()
                    throw Poisoned()
                }
            }
            let healthy = fixture.consumer("healthy", topic, options: options)
            let done = try await fixture.running([failing, healthy]) {
                let failed = try await fixture.handled("failing").count
                let healthy = try await fixture.handled("healthy").count
                return failed == 4 && healthy == 5
            }
            #expect(done)
            #expect(attempts.value == 3)
            #expect(try await fixture.handled("failing").map(\.payload) == [#"{"n": 0}"#, #"{"n": 1}"#, #"{"n": 3}"#, #"{"n": 4}"#])

            let administration = OutboxAdministration(database: fixture.client, logger: fixture.logger)
            let letters = try await administration.deadLetters(group: "failing")
            #expect(letters.count == 1)
            #expect(letters.first?.attempts == 3)
            #expect(letters.first?.error.contains("Poisoned") == true)
            #expect(try await administration.deadLetters(group: "healthy").isEmpty)
            #expect(try await administration.status(group: "failing").first?.deadLetters == 1)

            // Replay goes to the failing group only; this time the handler succeeds.
            let replayed = try await administration.replay(group: "failing", ids: nil)
            #expect(replayed == 1)
            let redone = try await fixture.running([fixture.consumer("failing", topic), fixture.consumer("healthy", topic)]) {
                try await fixture.handled("failing").count == 5
            }
            #expect(redone)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await fixture.handled("failing").last?.payload == #"{"poison": true}"#)
            #expect(try await fixture.handled("healthy").count == 5)
            #expect(try await administration.deadLetters(group: "failing").isEmpty)
            #expect(try await administration.replay(group: "failing", ids: nil) == 0)
        }
    }

    @Test func aTransientFailureIsRetriedWithoutLossDuplicationOrReordering() async throws {
        try await OutboxFixture.run { fixture in
            let topic = OutboxTopic("transient", partitions: 1)
            for n in 0..<10 { try await fixture.produce(topic, key: "k", payload: #"{"n":\#(n)}"#) }
            let failures = Flag()
            struct Flaky: Error {}
            let consumer = fixture.consumer("g", topic) { message in
                if message.payload.contains(#""n":6"#) || message.payload.contains(#""n": 6"#), failures.value < 2 {
                    failures.increment()
                    throw Flaky()
                }
            }
            let done = try await fixture.running([consumer]) { try await fixture.handled("g").count == 10 }
            #expect(done)
            #expect(failures.value == 2)
            #expect(try await fixture.handled("g").map(\.payload) == (0..<10).map { #"{"n": \#($0)}"# })
            let letters = try await OutboxAdministration(database: fixture.client, logger: fixture.logger).deadLetters()
            #expect(letters.isEmpty)
        }
    }

    @Test func twoConsumersOfOneGroupSplitThePartitionsAndHandleEachMessageOnce() async throws {
        try await OutboxFixture.run { fixture in
            let topic = OutboxTopic("shared", partitions: 8)
            for n in 0..<400 { try await fixture.produce(topic, key: "key-\(n % 40)", payload: #"{"n":\#(n)}"#) }
            let first = fixture.consumer("g", topic), second = fixture.consumer("g", topic)
            let done = try await fixture.running([first, second]) {
                let owners = try await fixture.client.query(
                    "SELECT count(DISTINCT owner)::int FROM outbox_leases WHERE consumer_group = 'g' AND owner IS NOT NULL", logger: fixture.logger
                ).decode(Int.self).collectAll().first ?? 0
                let handled = try await fixture.handled("g").count
                return owners == 2 && handled >= 400
            }
            #expect(done, "both consumers should own partitions and handle everything")
            let handled = try await fixture.handled("g").map(\.id)
            #expect(handled.count == 400 && Set(handled).count == 400)
            let leases = try await fixture.client.query(
                "SELECT owner, count(*)::int FROM outbox_leases WHERE consumer_group = 'g' GROUP BY owner", logger: fixture.logger
            ).decode((String?, Int).self).collectAll()
            #expect(leases.allSatisfy { $0.1 == 4 }, "leases: \(leases)")
        }
    }

    @Test func aWorkerClaimsNoMoreThanItsFairShare() async throws {
        try await OutboxFixture.run { fixture in
            let topic = OutboxTopic("share", partitions: 8)
            try await fixture.client.query(
                "INSERT INTO outbox_workers (consumer_group, topic, worker_id, expires_at) VALUES ('g', 'share', 'other', now() + interval '1 minute')",
                logger: fixture.logger
            )
            let owned = try await fixture.consumer("g", topic).heartbeat()
            #expect(owned == [0, 1, 2, 3])
            let second = try await fixture.consumer("g", topic).heartbeat()
            #expect(second.count == 3, "two live workers and 'other': a share of ⌈8/3⌉ = 3, four of them free")
        }
    }

    @Test func pruningKeepsWhatAnyGroupStillNeeds() async throws {
        try await OutboxFixture.run { fixture in
            let topic = OutboxTopic("pruned", partitions: 2)
            for n in 0..<20 { try await fixture.produce(topic, key: "k\(n)", payload: #"{"n":\#(n)}"#) }
            try await fixture.produce(OutboxTopic("nobody-reads", partitions: 1), key: "x", payload: "{}")
            let outboxRows: @Sendable () async throws -> Int = { try await fixture.count("SELECT count(*)::int FROM outbox WHERE topic = 'pruned'") }

            #expect(try await fixture.running([fixture.consumer("fast", topic)]) { try await fixture.handled("fast").count == 20 })
            // The slow group has registered but read nothing: its cursor holds everything back.
            try await fixture.client.query(
                "INSERT INTO outbox_cursors (consumer_group, topic, partition) VALUES ('slow', 'pruned', 0), ('slow', 'pruned', 1)", logger: fixture.logger
            )
            let pruner = OutboxPruner(database: fixture.client, logger: fixture.logger, unconsumedRetention: .seconds(3600), chunk: 7)
            #expect(try await pruner.pruneOnce() == 0)
            #expect(try await outboxRows() == 20)

            #expect(try await fixture.running([fixture.consumer("slow", topic)]) { try await fixture.handled("slow").count == 20 })
            #expect(try await pruner.pruneOnce() == 20)
            #expect(try await outboxRows() == 0)
            #expect(try await fixture.count("SELECT count(*)::int FROM outbox WHERE topic = 'nobody-reads'") == 1)

            // Within the retention (judged by the oldest row), the unread row stays; past it, it goes.
            #expect(try await pruner.pruneOnce() == 0)
            try await fixture.client.query(
                "UPDATE outbox SET created_at = now() - interval '2 hours' WHERE topic = 'nobody-reads'", logger: fixture.logger
            )
            #expect(try await pruner.pruneOnce() == 1)
            #expect(try await fixture.count("SELECT count(*)::int FROM outbox WHERE topic = 'nobody-reads'") == 0)
        }
    }

    @Test func statusReportsLagOwnerAndFailures() async throws {
        try await OutboxFixture.run { fixture in
            let topic = OutboxTopic("status", partitions: 1)
            try await fixture.client.query(
                "INSERT INTO outbox_cursors (consumer_group, topic, partition) VALUES ('g', 'status', 0)", logger: fixture.logger
            )
            for n in 0..<3 { try await fixture.produce(topic, key: "k", payload: #"{"n":\#(n)}"#) }
            let status = try await OutboxAdministration(database: fixture.client, logger: fixture.logger).status(group: "g")
            #expect(status.count == 1)
            #expect(status.first?.lagMessages == 3)
            #expect((status.first?.lagSeconds ?? -1) >= 0)
            #expect(status.first?.owner == nil)
            // The lag in seconds is the age of the next message due, whatever the cap.
            try await fixture.client.query(
                "UPDATE outbox SET created_at = now() - interval '90 seconds' WHERE topic = 'status' AND payload->>'n' = '0'", logger: fixture.logger
            )
            let capped = try await OutboxAdministration(database: fixture.client, logger: fixture.logger).status(group: "g", countingUpTo: 2)
            #expect(capped.first?.lagMessages == 2, "the count stops at the cap")
            let seconds = try #require(capped.first?.lagSeconds)
            #expect(seconds >= 90 && seconds < 150)
            // A worker asks for its own partitions of its topic only.
            let administration = OutboxAdministration(database: fixture.client, logger: fixture.logger)
            #expect(try await administration.status(group: "g", topic: "status", partitions: [0]).map(\.partition) == [0])
            #expect(try await administration.status(group: "g", topic: "status", partitions: [1, 2]).isEmpty)
            #expect(try await administration.status(group: "g", topic: "other").isEmpty)
        }
    }

    @Test func partitionOfAKeyIsStable() {
        let topic = OutboxTopic("t", partitions: 16)
        // FNV-1a 64 of "customer-42" is 0x1e1b8c70eb18f59e (computed independently, in Python); mod 16 = 14.
        #expect(topic.partition(for: "customer-42") == 14)
        #expect(Set((0..<1000).map { topic.partition(for: "k\($0)") }).count == 16)
    }
}

extension OutboxFixture {
    /// `running(_:until:)` with work started alongside the consumers (producers, say).
    func running(
        _ consumers: [OutboxConsumer], timeout: Duration = .seconds(30),
        until done: @escaping @Sendable () async throws -> Bool, startingWith work: @escaping @Sendable () async throws -> Void
    ) async throws -> Bool {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { try await work(); return true }
            let result = try await running(consumers, timeout: timeout, until: done)
            try await group.waitForAll()
            return result
        }
    }

    /// Waits until a consumer of `group` holds every partition of `topic` and a session of this database
    /// listens for wake-ups: a wake-up sent before then is lost by design (the poll catches it up), so tests
    /// of wake-ups alone start producing only after. A fixed sleep here failed on a loaded machine.
    func waitUntilListening(group: String, topic: OutboxTopic) async throws {
        let ready = try await poll(timeout: .seconds(30), every: .milliseconds(20)) {
            let leased = try await count(
                "SELECT count(*)::int FROM outbox_leases WHERE consumer_group = \(group) AND topic = \(topic.name) AND owner IS NOT NULL AND expires_at > now()"
            )
            let listening = try await count(
                "SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'"
            )
            return leased == topic.partitions && listening > 0
        }
        // The first read of each leased partition follows its lease; give it a moment to come back empty.
        try await Task.sleep(for: .milliseconds(200))
        #expect(ready, "the consumer never held its partitions while listening")
    }
}
