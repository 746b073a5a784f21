import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import Logging
import PostgresNIO

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

    /// The id each partition's cursor of the group stands at; for a partition without a cursor yet, just
    /// before its first message.
    func cursors(of group: String, _ database: PostgresClient, logger: Logger) async throws -> [Int32: Int64] {
        let rows = try await database.query(
            """
            SELECT p, coalesce(
                (SELECT c.id FROM outbox_cursors c WHERE c.consumer_group = \(group) AND c.topic = \(topic) AND c.partition = p),
                (SELECT o.id - 1 FROM outbox o WHERE o.topic = \(topic) AND o.partition = p ORDER BY o.tx_id, o.id LIMIT 1),
                0)
            FROM unnest(\(last.map(\.partition))::int[]) AS p
            """,
            logger: logger
        ).decode((Int32, Int64).self).collectAll()
        return Dictionary(rows.map { ($0.0, $0.1) }, uniquingKeysWith: max)
    }

    /// How far cursors moved from `start` towards this end, as a fraction of the messages between, estimated
    /// from ids (a stream is appended in id order, spread evenly over the partitions). Reading cursors is
    /// cheap enough to ask while workers are measured; counting resolved events read the whole events table,
    /// seconds of Postgres's CPU each time.
    func fractionPassed(from start: [Int32: Int64], to now: [Int32: Int64]) -> Double {
        var passed = 0.0
        var total = 0.0
        for last in last {
            let first = start[last.partition] ?? 0
            guard last.id > first else { continue }
            total += Double(last.id - first)
            passed += Double(min(max((now[last.partition] ?? first) - first, 0), last.id - first))
        }
        return total > 0 ? passed / total : 1
    }
}
