import KinshipCore
import KinshipDatabase
import Logging
import PostgresNIO

/// The producing side of the bus.
public enum Outbox {
    /// The channel a committed append notifies, with `topic:partition` as payload, to wake consumers.
    static let notificationChannel = "kinship_outbox"

    /// Appends messages inside the caller's transaction: they become visible to consumers exactly when
    /// that transaction commits, and never if it rolls back.
    ///
    /// Inside `PostgresClient.transaction` the wake-up is sent after the commit, outside the transaction:
    /// a NOTIFY inside it takes a database-wide lock from commit until the WAL flush, which serialises
    /// every producing commit. Called in a transaction opened any other way, it notifies in that
    /// transaction (correct, slower under concurrency).
    public static func append(_ drafts: [OutboxDraft], on connection: PostgresConnection, logger: Logger) async throws {
        guard !drafts.isEmpty else { return }
        let topics = drafts.map(\.topic.name)
        let partitions = drafts.map { Int32($0.topic.partition(for: $0.key)) }
        let workspaces = drafts.map(\.workspaceID)
        let keys = drafts.map(\.key)
        let payloads = drafts.map(\.payload)
        let append = AppendOutboxRows(topics: topics, partitions: partitions, workspaces: workspaces, keys: keys, payloads: payloads)
        _ = try await connection.rows(append, logger: logger)
        let wakeUps = Set(zip(topics, partitions).map { wakeUp($0, $1) })
        if let deferred = DeferredNotifications.current {
            deferred.add(wakeUps, channel: notificationChannel)
        } else {
            // Delivered on commit only; Postgres folds repeats within a transaction.
            try await connection.query(
                "SELECT count(pg_notify(\(notificationChannel), p)) FROM unnest(\(wakeUps.sorted())::text[]) AS p",
                logger: logger
            )
        }
    }

    /// Wakes the consumers of the partitions of `topic` to which the caller appended rows with a statement
    /// of its own (one that writes its data and their outbox rows together, and commits alone, saving the
    /// round trips of a transaction). Call it once that statement has committed; inside
    /// `PostgresClient.transaction` the wake-up waits for the transaction's commit.
    public static func announce(_ topic: OutboxTopic, partitions: some Sequence<Int32>, via client: PostgresClient, logger: Logger) {
        let wakeUps = Set(partitions.map { wakeUp(topic.name, $0) })
        if let deferred = DeferredNotifications.current {
            deferred.add(wakeUps, channel: notificationChannel)
        } else {
            NotificationSender.send([notificationChannel: wakeUps], via: client, logger: logger)
        }
    }

    /// The payload that wakes a partition's consumers.
    private static func wakeUp(_ topic: String, _ partition: Int32) -> String { "\(topic):\(partition)" }
}
