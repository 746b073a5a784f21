import Foundation
import PostgresNIO
import Shared

/// Claims message ids in the dedup table, inserts the events of those claimed and appends the `events`
/// outbox messages that reference them (one per workspace, partition and `EventReference.mostPerMessage`
/// events, in the form `EventReference.messagePayload` writes), in one statement: the whole write of a
/// small group commit, which run alone (autocommit) costs one round trip instead of four (BEGIN, the
/// events, the outbox, COMMIT). Prepared
/// once per connection: parsing and planning it for every request was a large share of Postgres's work
/// under many small requests.
///
/// An id is claimed when it is new, or when its last sighting is older than the dedup window (so the
/// window is exact, whenever the pruner last ran). It answers with the repeats, the messages it did not
/// store: usually none, where listing the stored ones cost a row per event on both sides; and when every
/// message was stored, which a count shows, it does not look for them.
///
/// The rows come from `unnest` in select lists, which Postgres reads row by row; `unnest` in `FROM` first
/// copies every row into a tuplestore, the events' JSON included (about a twentieth of Postgres's time).
///
/// When every id was claimed, every event is inserted without matching it to the claims, and the outbox
/// messages are the ones made here; when some were repeats, the events are matched to the claimed ids and
/// SQL builds the messages from the references of the stored events only. Each branch is gated by a count
/// Postgres evaluates once, so the other branch does not run.
struct ClaimAndInsertEvents: PostgresPreparedStatement {
    static let sql = """
        WITH claimed AS (
            INSERT INTO event_message_ids (workspace_id, message_id, received_at)
            SELECT unnest($1::uuid[]), unnest($2::text[]), unnest($3::timestamptz[])
            ON CONFLICT (workspace_id, message_id) DO UPDATE SET received_at = excluded.received_at
                WHERE event_message_ids.received_at < excluded.received_at - $4::text::interval
            RETURNING workspace_id, message_id
        ), stored AS (
            INSERT INTO events (workspace_id, received_at, message_id, source_id, type, event, event_time, message)
            SELECT x.w, x.r, x.i, x.s, x.t, NULLIF(x.e, ''), x.et, x.m FROM (SELECT
                unnest($1::uuid[]) AS w, unnest($3::timestamptz[]) AS r, unnest($2::text[]) AS i, unnest($5::uuid[]) AS s,
                unnest($6::text[]) AS t, unnest($7::text[]) AS e, unnest($8::timestamptz[]) AS et, unnest($9::jsonb[]) AS m
            ) AS x
            WHERE (SELECT count(*) FROM claimed) = cardinality($2::text[])
               OR (x.w, x.i) IN (SELECT workspace_id, message_id FROM claimed)
            RETURNING workspace_id, message_id
        ), appended AS (
            INSERT INTO outbox (topic, partition, workspace_id, key, payload)
            SELECT $10::text, m.p, m.w, '', m.payload FROM unnest($14::uuid[], $15::int[], $16::jsonb[]) AS m(w, p, payload)
            WHERE (SELECT count(*) FROM stored) = cardinality($2::text[])
            UNION ALL
            SELECT $10::text, o.p, o.w, '', ('{"events":[' || string_agg(o.r, ',') || ']}')::jsonb
            FROM unnest($1::uuid[], $2::text[], $11::int[], $12::int[], $13::text[]) AS o(w, i, p, c, r)
            JOIN stored s ON s.workspace_id = o.w AND s.message_id = o.i
            WHERE (SELECT count(*) FROM stored) < cardinality($2::text[])
            GROUP BY o.w, o.p, o.c
        )
        SELECT x.w, x.i FROM unnest($1::uuid[], $2::text[]) AS x(w, i)
        WHERE (SELECT count(*) FROM stored) < cardinality($2::text[])
          AND NOT EXISTS (SELECT FROM stored s WHERE s.workspace_id = x.w AND s.message_id = x.i)
        """
    typealias Row = (UUID, String)

    private(set) var workspaces: [UUID] = []
    private(set) var messageIDs: [String] = []
    private(set) var receivedAts: [StoredTime] = []
    let window: String
    private(set) var sources: [UUID] = []
    private(set) var types: [String] = []
    /// "" for none.
    private(set) var events: [String] = []
    private(set) var eventTimes: [StoredTime] = []
    private(set) var messages: [JSONBParameter] = []
    /// The outbox messages of the stored events: their topic, and per event its partition, which of the
    /// partition's messages in this statement takes it (its chunk), and its reference.
    let topic = OutboxTopic.events.name
    private(set) var partitions: [Int32] = []
    private(set) var chunks: [Int32] = []
    private(set) var references: [String] = []
    /// The same messages made here, for when every event is stored (nearly always): their workspace, partition
    /// and payload. Building them in SQL (joining the references to the stored rows, grouping, aggregating)
    /// was about a sixth of the statement run alone from `psql`, so it does that only when some event was a repeat.
    private(set) var messageWorkspaces: [UUID] = []
    private(set) var messagePartitions: [Int32] = []
    private(set) var messagePayloads: [JSONBParameter] = []

    /// The statement for these messages, in this order, each column filled in one pass over them.
    init(_ rows: [(batch: WriteBatch, message: PreparedMessage)], window: String) {
        self.window = window
        let most = Int32(EventReference.mostPerMessage)
        // Per workspace and partition: the events it has taken so far, and its last message (an index into
        // `messageReferences`).
        var slots: [PartitionOfWorkspace: (taken: Int32, message: Int)] = [:]
        var messageReferences: [[String]] = []
        for (batch, message) in rows {
            let partition = Int32(OutboxTopic.events.partition(for: message.routingKey))
            workspaces.append(batch.source.workspaceID)
            messageIDs.append(message.messageId)
            receivedAts.append(batch.receivedAt)
            sources.append(batch.source.id)
            types.append(message.type.rawValue)
            events.append(message.event ?? "")
            eventTimes.append(message.eventTime)
            messages.append(JSONBParameter(json: message.json))
            partitions.append(partition)
            references.append(message.reference)
            let slot = PartitionOfWorkspace(workspace: batch.source.workspaceID, partition: partition)
            var (taken, last) = slots[slot] ?? (0, -1)
            if taken % most == 0 {
                last = messageReferences.count
                messageReferences.append([])
                messageWorkspaces.append(batch.source.workspaceID)
                messagePartitions.append(partition)
            }
            chunks.append(taken / most)
            messageReferences[last].append(message.reference)
            slots[slot] = (taken + 1, last)
        }
        messagePayloads = messageReferences.map { JSONBParameter(json: Array(EventReference.messagePayload(joining: $0).utf8)) }
    }

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 16)
        bindings.append(workspaces)
        bindings.append(messageIDs)
        bindings.append(receivedAts)
        bindings.append(window)
        bindings.append(sources)
        bindings.append(types)
        bindings.append(events)
        bindings.append(eventTimes)
        bindings.append(messages)
        bindings.append(topic)
        bindings.append(partitions)
        bindings.append(chunks)
        bindings.append(references)
        bindings.append(messageWorkspaces)
        bindings.append(messagePartitions)
        bindings.append(messagePayloads)
        return bindings
    }

    private struct PartitionOfWorkspace: Hashable {
        let workspace: UUID
        let partition: Int32
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}
