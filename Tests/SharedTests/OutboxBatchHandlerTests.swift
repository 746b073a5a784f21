import Foundation
import KinshipTestSupport
import PostgresNIO
import Synchronization
import Testing
import KinshipCore
import KinshipPrivacy
import KinshipDatabase
import KinshipOutbox
import KinshipService

/// A consumer with a batch handler gets whole batches; when a batch fails, its messages go one at a
/// time to the message handler, so only the bad one is retried and dead-lettered.
struct OutboxBatchHandlerTests {
    final class Sizes: Sendable {
        private let state = Mutex<[Int]>([])
        var all: [Int] { state.withLock { $0 } }
        func add(_ size: Int) { state.withLock { $0.append(size) } }
    }

    /// `handling` says how many messages of a batch of that size the batch handler handles (all, by default).
    func consumer(
        _ fixture: OutboxFixture, _ topic: OutboxTopic, batches: Sizes, singles: Flag, poison: String? = nil,
        handling: @escaping @Sendable (Int) -> Int = { $0 }
    ) -> OutboxConsumer {
        var options = OutboxFixture.fastOptions
        options.maxAttempts = 2
        struct Poisoned: Error {}
        @Sendable func record(_ message: OutboxMessage, _ connection: PostgresConnection) async throws {
            if message.payload.contains(poison ?? "\u{0}") { throw Poisoned() }
            try await connection.query(
                "INSERT INTO handled (consumer_group, message_id, key, payload) VALUES ('g', \(message.id), \(message.key), \(message.payload))",
                logger: TestDatabase.logger
            )
        }
        return OutboxConsumer(
            group: "g", topic: topic, database: fixture.client, logger: fixture.logger, options: options,
            batchHandler: { messages, connection in
                batches.add(messages.count)
                let handled = handling(messages.count)
                for message in messages.prefix(handled) { try await record(message, connection) }
                return handled
            },
            handler: { message, connection in
                singles.increment()
                try await record(message, connection)
            }
        )
    }

    func produceAll(_ fixture: OutboxFixture, _ topic: OutboxTopic, count: Int) async throws {
        try await fixture.client.transaction(logger: fixture.logger) { connection in
            try await Outbox.append(
                (0..<count).map { OutboxDraft(topic: topic, workspaceID: UUID(), key: "k", payload: #"{"n":\#($0)}"#) },
                on: connection, logger: fixture.logger
            )
        }
    }

    @Test func wholeBatchesGoToTheBatchHandler() async throws {
        try await OutboxFixture.run { fixture in
            let topic = OutboxTopic("batched", partitions: 1)
            try await produceAll(fixture, topic, count: 120)
            let (batches, singles) = (Sizes(), Flag())
            let done = try await fixture.running([consumer(fixture, topic, batches: batches, singles: singles)], timeout: .seconds(90)) {
                try await fixture.handled("g").count >= 120
            }
            #expect(done)
            #expect(try await fixture.handled("g").map(\.payload) == (0..<120).map { #"{"n": \#($0)}"# }, "in order, once each")
            #expect(batches.all.reduce(0, +) == 120)
            #expect(batches.all.max() == OutboxFixture.fastOptions.batchSize, "\(batches.all)")
            #expect(singles.value == 0)
        }
    }

    @Test func messagesABatchHandlerLeftComeAgainInTheNextBatch() async throws {
        try await OutboxFixture.run { fixture in
            let topic = OutboxTopic("partly", partitions: 1)
            try await produceAll(fixture, topic, count: 100)
            let (batches, singles) = (Sizes(), Flag())
            let halves = consumer(fixture, topic, batches: batches, singles: singles, handling: { ($0 + 1) / 2 })
            let done = try await fixture.running([halves], timeout: .seconds(90)) {
                try await fixture.handled("g").count >= 100
            }
            #expect(done)
            #expect(try await fixture.handled("g").map(\.payload) == (0..<100).map { #"{"n": \#($0)}"# }, "in order, once each")
            #expect(batches.all.count > 4, "each batch handled half: \(batches.all)")
        }
    }

    /// A handler that takes only a few messages of each batch is read about twice that many next time,
    /// not a full batch again for each part.
    @Test func aPartitionIsReadAboutTwiceWhatItsBatchHandlerTookLastTime() async throws {
        try await OutboxFixture.run { fixture in
            let topic = OutboxTopic("narrowed", partitions: 1)
            try await produceAll(fixture, topic, count: 60)
            let (batches, singles) = (Sizes(), Flag())
            let threes = consumer(fixture, topic, batches: batches, singles: singles, handling: { min(3, $0) })
            let done = try await fixture.running([threes], timeout: .seconds(90)) {
                try await fixture.handled("g").count >= 60
            }
            #expect(done)
            #expect(try await fixture.handled("g").map(\.payload) == (0..<60).map { #"{"n": \#($0)}"# }, "in order, once each")
            #expect(batches.all.first == OutboxFixture.fastOptions.batchSize, "\(batches.all)")
            #expect(batches.all.dropFirst().allSatisfy { $0 <= 6 }, "\(batches.all)")
        }
    }

    @Test func aFailingBatchIsHandledOneMessageAtATimeAndOnlyTheBadMessageIsDeadLettered() async throws {
        try await OutboxFixture.run { fixture in
            let topic = OutboxTopic("poisoned", partitions: 1)
            try await produceAll(fixture, topic, count: 30)
            let (batches, singles) = (Sizes(), Flag())
            let done = try await fixture.running([consumer(fixture, topic, batches: batches, singles: singles, poison: #""n": 17}"#)], timeout: .seconds(90)) {
                try await fixture.handled("g").count >= 29
            }
            #expect(done)
            #expect(try await fixture.handled("g").map(\.payload) == (0..<30).filter { $0 != 17 }.map { #"{"n": \#($0)}"# })
            #expect(try await fixture.count("SELECT count(*)::int FROM outbox_dead_letters WHERE consumer_group = 'g'") == 1)
            #expect(singles.value > 0, "the failed batch went message by message")
        }
    }
}
