import PostgresNIO

/// The write of a group whose message ids are all new, which is nearly every group: it inserts the claims,
/// the events and their outbox messages plainly, in one statement. A repeated id fails a unique key (see
/// `foundRepeat`) and with it the whole statement, and the writer then runs `ClaimAndInsertEvents`, which
/// sorts the repeats out. Compared with that statement, nothing is checked before it is inserted
/// (`ON CONFLICT` looks each id up, then inserts it speculatively and confirms it), nothing is returned or
/// counted, and no common table expression keeps rows for another to read. Prepared once per connection.
///
/// The rows come from `unnest` in select lists, which Postgres reads row by row (see `ClaimAndInsertEvents`).
struct InsertNewEvents: PostgresPreparedStatement {
    static let sql = """
        WITH claimed AS (
            \(GroupColumns.insertClaims)
        ), stored AS (
            \(GroupColumns.insertEvents)
        )
        INSERT INTO outbox (topic, partition, workspace_id, key, payload)
        SELECT $9::text, m.p, m.w, '', m.payload::jsonb FROM (SELECT
            unnest($10::uuid[]) AS w, unnest($11::int[]) AS p, unnest($12::text[]) AS payload
        ) AS m
        """
    typealias Row = ()

    let columns: GroupColumns

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 12)
        columns.appendSharedBindings(to: &bindings)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {}

    /// Whether `error` is this statement finding an id that is not new: a unique violation, of the claims'
    /// key or of the events' (workspace, arrival millisecond, id), which two processes given one message in
    /// the same millisecond share; the statement may insert its events before its claims.
    static func foundRepeat(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == "23505"
    }
}
