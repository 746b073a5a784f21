import Foundation
import KinshipOutbox
import PostgresNIO

/// Claims message ids in the dedup table, inserts the events of those claimed and appends the `events`
/// outbox messages that reference them (one per workspace, partition and `EventReference.mostPerMessage`
/// events, in the form `EventReference.messagePayload` writes), in one statement: the write of a group in
/// which some id may be a repeat, either because `InsertNewEvents` found one or because the group also
/// stores failed events, in a transaction that a failed statement would abort. Run alone (autocommit) it
/// costs one round trip instead of four (BEGIN, the events, the outbox, COMMIT). Prepared once per connection: parsing and planning it for every request was
/// a large share of Postgres's work under many small requests.
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
            \(GroupColumns.insertClaims)
            ON CONFLICT (workspace_id, source_id, message_id) DO UPDATE SET received_at = excluded.received_at
                WHERE event_message_ids.received_at < excluded.received_at - $13::text::interval
            RETURNING workspace_id, source_id, message_id
        ), stored AS (
            \(GroupColumns.insertEvents)
            WHERE (SELECT count(*) FROM claimed) = cardinality($2::text[])
               OR (x.w, x.s, x.i) IN (SELECT workspace_id, source_id, message_id FROM claimed)
            RETURNING workspace_id, source_id, message_id
        ), appended AS (
            INSERT INTO outbox (topic, partition, workspace_id, key, payload)
            SELECT $9::text, m.p, m.w, '', m.payload::jsonb FROM unnest($10::uuid[], $11::int[], $12::text[]) AS m(w, p, payload)
            WHERE (SELECT count(*) FROM stored) = cardinality($2::text[])
            UNION ALL
            SELECT $9::text, o.p, o.w, '', \(EventReference.sqlMessagePayload(aggregating: "o.r"))
            FROM unnest($1::uuid[], $4::uuid[], $2::text[], $14::int[], $15::int[], $16::text[]) AS o(w, s, i, p, c, r)
            JOIN stored s ON s.workspace_id = o.w AND s.source_id = o.s AND s.message_id = o.i
            WHERE (SELECT count(*) FROM stored) < cardinality($2::text[])
            GROUP BY o.w, o.p, o.c
        )
        SELECT x.w, x.s, x.i FROM unnest($1::uuid[], $4::uuid[], $2::text[]) AS x(w, s, i)
        WHERE (SELECT count(*) FROM stored) < cardinality($2::text[])
          AND NOT EXISTS (SELECT FROM stored s WHERE s.workspace_id = x.w AND s.source_id = x.s AND s.message_id = x.i)
        """
    typealias Row = (UUID, UUID, String)

    let columns: GroupColumns
    let window: String

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 16)
        columns.appendSharedBindings(to: &bindings)
        bindings.append(window)
        bindings.append(columns.partitions)
        bindings.append(columns.chunks)
        bindings.append(columns.references)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}
