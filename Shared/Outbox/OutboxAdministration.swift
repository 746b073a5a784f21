import Foundation
import KinshipCore
import KinshipDatabase
import Logging
import PostgresNIO

/// Where a consumer group stands on one partition.
public struct OutboxPartitionStatus: Sendable, Equatable {
    public let group: String
    public let topic: String
    public let partition: Int
    public let owner: String?
    public let lagMessages: Int
    public let lagSeconds: Double
    public let attempts: Int
    public let lastError: String?
    public let deadLetters: Int
}

/// A message a consumer group gave up on.
public struct OutboxDeadLetter: Sendable, Equatable {
    public let id: Int64
    public let group: String
    public let topic: String
    public let partition: Int
    public let messageID: Int64
    public let key: String
    public let error: String
    public let attempts: Int
    public let failedAt: Date
}

/// What operators (the admin CLI) and metrics read and do: status, dead letters, replay.
public struct OutboxAdministration: Sendable {
    let database: PostgresClient
    let logger: Logger

    public init(database: PostgresClient, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Each partition's cursor, owner, failures and lag, of one group's partitions of one topic when given.
    /// `countingUpTo` caps the pending messages counted per partition (counting reads the whole backlog; a
    /// million-message backlog cost seconds of Postgres's CPU per look); the lag in seconds is always
    /// exact: the age of the next message due.
    public func status(
        group: String? = nil, topic: String? = nil, partitions: [Int]? = nil, countingUpTo limit: Int? = nil
    ) async throws -> [OutboxPartitionStatus] {
        var result: [OutboxPartitionStatus] = []
        let rows = try await database.query(
            """
            SELECT c.consumer_group, c.topic, c.partition, l.owner, pending.lag, coalesce(extract(epoch FROM now() - next.created_at), 0)::float8,
                   c.attempts, c.last_error,
                   (SELECT count(*)::int FROM outbox_dead_letters d
                    WHERE d.consumer_group = c.consumer_group AND d.topic = c.topic AND d.partition = c.partition AND d.replayed_at IS NULL)
            FROM outbox_cursors c
            LEFT JOIN outbox_leases l USING (consumer_group, topic, partition)
            CROSS JOIN LATERAL (
                SELECT count(*)::int AS lag FROM (
                    SELECT FROM outbox o
                    WHERE o.topic = c.topic AND o.partition = c.partition AND (o.tx_id, o.id) > (c.tx_id, c.id)
                      AND (o.only_group IS NULL OR o.only_group = c.consumer_group)
                    LIMIT \(limit)::bigint
                ) AS counted
            ) pending
            LEFT JOIN LATERAL (
                SELECT o.created_at FROM outbox o
                WHERE o.topic = c.topic AND o.partition = c.partition AND (o.tx_id, o.id) > (c.tx_id, c.id)
                  AND (o.only_group IS NULL OR o.only_group = c.consumer_group)
                ORDER BY o.tx_id, o.id LIMIT 1
            ) next ON true
            WHERE (\(group)::text IS NULL OR c.consumer_group = \(group)) AND (\(topic)::text IS NULL OR c.topic = \(topic))
              AND (\(partitions)::int[] IS NULL OR c.partition = ANY(\(partitions)::int[]))
            ORDER BY c.consumer_group, c.topic, c.partition
            """,
            logger: logger
        ).decode((String, String, Int, String?, Int, Double, Int, String?, Int).self)
        for try await (group, topic, partition, owner, lag, seconds, attempts, lastError, deadLetters) in rows {
            result.append(OutboxPartitionStatus(
                group: group, topic: topic, partition: partition, owner: owner, lagMessages: lag, lagSeconds: seconds,
                attempts: attempts, lastError: lastError, deadLetters: deadLetters
            ))
        }
        return result
    }

    public func deadLetters(group: String? = nil, limit: Int = 100) async throws -> [OutboxDeadLetter] {
        var result: [OutboxDeadLetter] = []
        for try await (id, group, topic, partition, messageID, key, error, attempts, failedAt) in try await database.query(
            """
            SELECT id, consumer_group, topic, partition, message_id, key, error, attempts, failed_at FROM outbox_dead_letters
            WHERE replayed_at IS NULL AND (\(group)::text IS NULL OR consumer_group = \(group))
            ORDER BY id LIMIT \(limit)
            """,
            logger: logger
        ).decode((Int64, String, String, Int, Int64, String, String, Int, Date).self) {
            result.append(OutboxDeadLetter(
                id: id, group: group, topic: topic, partition: partition, messageID: messageID, key: key,
                error: error, attempts: attempts, failedAt: failedAt
            ))
        }
        return result
    }

    /// Puts dead letters back on the bus for the group that failed them only (all of a group's when
    /// `ids` is nil). Returns how many were replayed.
    public func replay(group: String, ids: [Int64]?) async throws -> Int {
        try await database.transaction(logger: logger) { connection in
            let topics = try await connection.query(
                """
                WITH replayed AS (
                    UPDATE outbox_dead_letters SET replayed_at = now()
                    WHERE consumer_group = \(group) AND replayed_at IS NULL AND (\(ids)::bigint[] IS NULL OR id = ANY(\(ids)))
                    RETURNING topic, partition, workspace_id, key, payload, consumer_group
                )
                INSERT INTO outbox (topic, partition, workspace_id, key, payload, only_group)
                SELECT topic, partition, workspace_id, key, payload, consumer_group FROM replayed
                RETURNING topic
                """,
                logger: logger
            ).decode(String.self).collectAll()
            for topic in Set(topics) {
                try await connection.query("SELECT pg_notify(\(Outbox.notificationChannel), \(topic))", logger: logger)
            }
            return topics.count
        }
    }
}
