import Logging
import PostgresNIO

/// The producing side of the bus.
public enum Outbox {
    /// The channel a committed append notifies, with the topic as payload, to wake consumers.
    static let notificationChannel = "kinship_outbox"

    /// Appends messages inside the caller's transaction: they become visible to consumers exactly when
    /// that transaction commits, and never if it rolls back.
    public static func append(_ drafts: [OutboxDraft], on connection: PostgresConnection, logger: Logger) async throws {
        guard !drafts.isEmpty else { return }
        let topics = drafts.map(\.topic.name)
        let partitions = drafts.map { Int32($0.topic.partition(for: $0.key)) }
        let workspaces = drafts.map(\.workspaceID)
        let keys = drafts.map(\.key)
        let payloads = drafts.map(\.payload)
        try await connection.query(
            """
            INSERT INTO outbox (topic, partition, workspace_id, key, payload)
            SELECT * FROM unnest(\(topics)::text[], \(partitions)::int[], \(workspaces)::uuid[], \(keys)::text[], \(payloads)::jsonb[])
            """,
            logger: logger
        )
        // NOTIFY is delivered on commit only, and Postgres folds repeats within a transaction.
        for topic in Set(topics) {
            try await connection.query("SELECT pg_notify(\(notificationChannel), \(topic))", logger: logger)
        }
    }
}
