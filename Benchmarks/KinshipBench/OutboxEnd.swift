import Logging
import PostgresNIO
import Shared

/// The last message of each partition of a topic, read once, and whether a consumer group's cursors
/// have passed them all: cheap enough to ask every few milliseconds, unlike counting the lag.
struct OutboxEnd: Sendable {
    struct Last: Sendable {
        let partition: Int32
        let txID: String
        let id: Int64
    }

    let topic: String
    let last: [Last]

    /// The topic's end now, in the consumers' order (by the column, not its text form: as text, "1000"
    /// sorts before "999").
    static func read(_ topic: OutboxTopic, _ database: PostgresClient, logger: Logger) async throws -> OutboxEnd {
        let last = try await database.query(
            """
            SELECT DISTINCT ON (partition) partition, tx_id::text AS tx_text, id FROM outbox
            WHERE topic = \(topic.name) ORDER BY partition, outbox.tx_id DESC, outbox.id DESC
            """,
            logger: logger
        ).decode((Int32, String, Int64).self).collectAll().map { Last(partition: $0.0, txID: $0.1, id: $0.2) }
        return OutboxEnd(topic: topic.name, last: last)
    }

    /// Whether the group's cursor of every partition stands at or past its last message.
    func reached(by group: String, _ database: PostgresClient, logger: Logger) async throws -> Bool {
        let done = try await database.query(
            """
            SELECT count(*)::int FROM outbox_cursors c
            JOIN unnest(\(last.map(\.partition))::int[], \(last.map(\.txID))::text[], \(last.map(\.id))::bigint[]) AS last (partition, tx_id, id)
              USING (partition)
            WHERE c.consumer_group = \(group) AND c.topic = \(topic) AND (c.tx_id, c.id) >= (last.tx_id::xid8, last.id)
            """,
            logger: logger
        ).decode(Int.self).first(where: { _ in true }) ?? 0
        return done == last.count
    }
}
