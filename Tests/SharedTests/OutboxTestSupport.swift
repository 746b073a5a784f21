import Foundation
import KinshipTestSupport
import PostgresNIO
import Synchronization
import Testing
import KinshipCore
import KinshipPrivacy
import KinshipDatabase
import KinshipOutbox
import KinshipInternalClient
import KinshipService

/// A fresh, migrated database with a `handled` table that outbox test handlers write to in the
/// consumer's transaction: what commits there is exactly what a real handler's effect would be.
struct OutboxFixture: Sendable {
    let client: PostgresClient
    let logger = TestDatabase.logger

    static func run(_ body: @Sendable (OutboxFixture) async throws -> Void) async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url) { client in
                try await client.query(
                    """
                    CREATE TABLE handled (seq bigserial PRIMARY KEY, consumer_group text NOT NULL, message_id bigint NOT NULL,
                                          key text NOT NULL, payload text NOT NULL)
                    """,
                    logger: TestDatabase.logger
                )
                try await body(OutboxFixture(client: client))
            }
        }
    }

    static var fastOptions: OutboxConsumerOptions {
        var options = OutboxConsumerOptions()
        options.heartbeatInterval = .milliseconds(100)
        options.pollInterval = .milliseconds(200)
        options.leaseDuration = .seconds(5)
        options.initialBackoff = .milliseconds(10)
        options.maximumBackoff = .milliseconds(50)
        options.batchSize = 50
        return options
    }

    func produce(_ topic: OutboxTopic, key: String, payload: String, workspace: UUID = UUID()) async throws {
        try await client.transaction(logger: logger) { connection in
            try await Outbox.append([OutboxDraft(topic: topic, workspaceID: workspace, key: key, payload: payload)], on: connection, logger: logger)
        }
    }

    /// A consumer whose handler records each message in `handled` (after `before`, which may throw).
    func consumer(
        _ group: String, _ topic: OutboxTopic, options: OutboxConsumerOptions = fastOptions,
        before: @escaping @Sendable (OutboxMessage) throws -> Void = { _ in }
    ) -> OutboxConsumer {
        OutboxConsumer(group: group, topic: topic, database: client, logger: logger, options: options) { message, connection in
            try before(message)
            try await connection.query(
                "INSERT INTO handled (consumer_group, message_id, key, payload) VALUES (\(group), \(message.id), \(message.key), \(message.payload))",
                logger: TestDatabase.logger
            )
        }
    }

    /// Committed handler effects of a group, in the order they committed.
    func handled(_ group: String) async throws -> [(id: Int64, key: String, payload: String)] {
        try await client.query(
            "SELECT message_id, key, payload FROM handled WHERE consumer_group = \(group) ORDER BY seq", logger: logger
        ).decode((Int64, String, String).self).collectAll().map { (id: $0.0, key: $0.1, payload: $0.2) }
    }

    func count(_ sql: PostgresQuery) async throws -> Int {
        try await client.query(sql, logger: logger).decode(Int.self).collectAll().first ?? -1
    }

    /// Runs the consumers until `done` holds (checked every 50 ms) or `timeout` passes; returns whether it held.
    func running(_ consumers: [OutboxConsumer], timeout: Duration = .seconds(30), until done: @Sendable () async throws -> Bool) async throws -> Bool {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for consumer in consumers { group.addTask { try await consumer.run() } }
            defer { group.cancelAll() }
            return try await poll(timeout: timeout, every: .milliseconds(50), done)
        }
    }
}

/// Thread-safe switches and counters for handlers.
final class Flag: Sendable {
    private let state = Mutex<Int>(0)
    var value: Int { state.withLock { $0 } }
    func set(_ value: Int) { state.withLock { $0 = value } }
    @discardableResult func increment() -> Int { state.withLock { $0 += 1; return $0 } }
}

