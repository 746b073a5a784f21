import Foundation
import KinshipCore
import KinshipDatabase
import PostgresNIO

// The bus's hot statements, prepared once per connection: parsing and planning them for every
// transaction was a fifth of the machine's CPU when producers commit many small transactions.
// Each is run by `PostgresConnection.rows`, which reads its rows to the end (PostgresNIO's command-tag
// form of `execute` traps when its result has not been consumed yet) and retires a connection on which
// a statement failed.

/// Appends rows (`Outbox.append`).
struct AppendOutboxRows: PostgresPreparedStatement {
    static let sql = """
        INSERT INTO outbox (topic, partition, workspace_id, key, payload)
        SELECT * FROM unnest($1::text[], $2::int[], $3::uuid[], $4::text[], $5::text[]::jsonb[])
        """
    typealias Row = ()

    let topics: [String]
    let partitions: [Int32]
    let workspaces: [UUID]
    let keys: [String]
    let payloads: [String]

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 5)
        bindings.append(topics)
        bindings.append(partitions)
        bindings.append(workspaces)
        bindings.append(keys)
        bindings.append(payloads)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws {}
}

/// Takes a consumer's lock on a partition for the transaction (and sets its commit mode).
struct LockPartition: PostgresPreparedStatement {
    static let sql = "SELECT pg_advisory_xact_lock(hashtext($1), $2), set_config('synchronous_commit', $3, true)"
    typealias Row = ()

    let lockName: String
    let partition: Int32
    let synchronousCommit: String

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(lockName)
        bindings.append(partition)
        bindings.append(synchronousCommit)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws {}
}

/// The group's cursor on a partition, provided the worker holds a live lease on it.
struct ReadLeasedCursor: PostgresPreparedStatement {
    static let sql = """
        SELECT c.tx_id::text, c.id, c.attempts FROM outbox_leases l
        JOIN outbox_cursors c USING (consumer_group, topic, partition)
        WHERE l.consumer_group = $1 AND l.topic = $2 AND l.partition = $3 AND l.owner = $4 AND l.expires_at > now()
        """
    typealias Row = (String, Int64, Int32)

    let group: String
    let topic: String
    let partition: Int32
    let workerID: String

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(group)
        bindings.append(topic)
        bindings.append(partition)
        bindings.append(workerID)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// The next messages of a partition after a cursor, each with whether its transaction is older than
/// every running one (see `OutboxConsumer.readBatch`).
struct ReadOutboxBatch: PostgresPreparedStatement {
    static let sql = """
        WITH snapshot AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
        SELECT o.id, o.tx_id::text AS tx_text, o.workspace_id, o.key, o.payload::text, o.created_at, o.only_group,
               o.tx_id < snapshot.xmin AS safe
        FROM outbox o, snapshot
        WHERE o.topic = $1 AND o.partition = $2 AND (o.tx_id, o.id) > ($3::text::xid8, $4)
        ORDER BY o.tx_id, o.id
        LIMIT $5
        """
    typealias Row = (Int64, String, UUID, String, String, Date, String?, Bool)

    let topic: String
    let partition: Int32
    let afterTxID: String
    let afterID: Int64
    let limit: Int64

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 5)
        bindings.append(topic)
        bindings.append(partition)
        bindings.append(afterTxID)
        bindings.append(afterID)
        bindings.append(limit)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// Moves a group's cursor past a message, recording how the partition's head message fares.
struct AdvanceCursor: PostgresPreparedStatement {
    static let sql = """
        UPDATE outbox_cursors SET tx_id = $1::text::xid8, id = $2, attempts = $3, last_error = $4, updated_at = now()
        WHERE consumer_group = $5 AND topic = $6 AND partition = $7
        """
    typealias Row = ()

    let txID: String
    let id: Int64
    let attempts: Int32
    let error: String?
    let group: String
    let topic: String
    let partition: Int32

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 7)
        bindings.append(txID)
        bindings.append(id)
        bindings.append(attempts)
        bindings.append(error)
        bindings.append(group)
        bindings.append(topic)
        bindings.append(partition)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws {}
}
