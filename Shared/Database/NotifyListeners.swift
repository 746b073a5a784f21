import PostgresNIO

/// Wakes listeners: one notification per payload (sent after the commit, see `DeferredNotifications`).
struct NotifyListeners: PostgresPreparedStatement {
    static let sql = """
        SELECT set_config('synchronous_commit', 'off', true), (SELECT count(pg_notify($1, p)) FROM unnest($2::text[]) AS p)
        """
    typealias Row = ()

    let channel: String
    let payloads: [String]

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(channel)
        bindings.append(payloads)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws {}
}
