extension EventCondition {
    /// Boolean SQL over a row of `segment_profiles sp`: the aggregate of the profile's matching track events,
    /// compared. The events are read by a correlated subquery on `event_profiles` by (workspace, profile), whose
    /// index carries each track event's name (`track_event`), the window bounding `event_time`: a count, a first
    /// or a last time reads that index alone, and only a sum, an average, a property filter or a first or last
    /// property fetches the matching events' rows from `events` (wide: the whole sealed message). The aggregate
    /// is computed once in a derived table (`OFFSET 0` keeps the planner from copying it into each reference the
    /// comparison makes) and compared there.
    ///
    /// Among events of one time, `first` and `last` take the one received first or last (then by message id):
    /// a subject compared with this must list its events in that order.
    func sql(_ writer: inout SegmentSQLWriter) -> String {
        let readsProperties: Bool
        switch aggregate {
        case .count, .first(nil), .last(nil): readsProperties = !filters.isEmpty
        case .sum, .average, .first(_?), .last(_?): readsProperties = true
        }
        var from = "FROM event_profiles ep"
        if readsProperties {
            from += " JOIN events e ON e.workspace_id = ep.workspace_id AND e.received_at = ep.received_at AND e.message_id = ep.message_id"
        }
        from += " WHERE ep.workspace_id = \(writer.workspace) AND ep.profile_id = sp.profile_id AND ep.track_event = \(writer.bind(eventName))"
        if let withinDays {
            from += " AND ep.event_time > \(writer.daysBeforeNow(withinDays)) AND ep.event_time <= \(writer.nowBind())"
        }
        for filter in filters {
            from += " AND " + filter.comparison.sql(.json(Self.property(filter.path, &writer)), &writer)
        }

        let aggregated: String
        let value: SQLComparedValue
        switch aggregate {
        case .count:
            (aggregated, value) = ("count(*)::float8", .number("agg.v"))
        case .sum(let path):
            let property = Self.property(path, &writer)
            (aggregated, value) = ("coalesce(sum(\(Self.number(property))), 0)", .number("agg.v"))
        case .average(let path):
            let property = Self.property(path, &writer)
            (aggregated, value) = ("avg(\(Self.number(property)))", .number("agg.v"))
        case .first(nil):
            (aggregated, value) = ("min(ep.event_time)", .time("agg.v"))
        case .last(nil):
            (aggregated, value) = ("max(ep.event_time)", .time("agg.v"))
        case .first(let path?), .last(let path?):
            let direction = if case .first = aggregate { "ASC" } else { "DESC" }
            let order = "ep.event_time \(direction), ep.received_at \(direction), ep.message_id COLLATE \"C\" \(direction)"
            aggregated = "(SELECT \(Self.property(path, &writer)) \(from) ORDER BY \(order) LIMIT 1)"
            let comparison = comparison.sql(.json("agg.v"), &writer)
            return "(SELECT \(comparison) FROM (SELECT \(aggregated) AS v OFFSET 0) AS agg)"
        }
        let comparison = comparison.sql(value, &writer)
        return "(SELECT \(comparison) FROM (SELECT \(aggregated) AS v \(from) OFFSET 0) AS agg)"
    }

    /// The jsonb at a path into the event's properties.
    private static func property(_ path: [String], _ writer: inout SegmentSQLWriter) -> String {
        "e.message -> 'properties'" + FieldReference.steps(path[...], &writer)
    }

    /// The property as float8 where it is a number, NULL otherwise (skipped by `sum` and `avg`).
    private static func number(_ property: String) -> String {
        "CASE WHEN jsonb_typeof(\(property)) = 'number' THEN (\(property))::float8 END"
    }
}
