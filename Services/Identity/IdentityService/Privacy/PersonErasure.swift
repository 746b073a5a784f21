import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import Logging
import PostgresNIO

/// Identity's step of an erasure: every row identity and ingestion keep about the person's profiles goes,
/// in one transaction (the consumer's). Deleting the profile rows destroys their data keys, so nothing
/// sealed under them can be opened again (crypto-shredding); the events' own PII is sealed under the
/// workspace key, so the events themselves are deleted.
struct PersonErasure {
    let graph: IdentityGraph
    let logger: Logger
    /// Failed events are sealed whole and name no profile: they are opened and matched by identifier, this
    /// many at a time.
    static let failedEventsPerRead = 1000

    /// Removes the profiles' rows; returns what it removed, table → rows.
    func erase(_ profiles: [UUID], on connection: PostgresConnection) async throws -> [String: Int] {
        let workspaceID = graph.workspaceID
        var removed: [String: Int] = [:]
        // The resolver locks profiles before it changes them: so does this, so neither writes to a half-erased profile.
        try await connection.query(
            "SELECT 1 FROM profiles WHERE workspace_id = \(workspaceID) AND id = ANY(\(profiles)) ORDER BY id FOR UPDATE", logger: logger
        )
        var types: [String] = []
        // Tokens in hex: PostgresNIO binds no arrays of bytea.
        var tokens: [String] = []
        for try await (type, token) in try await connection.query(
            "SELECT type, encode(token, 'hex') FROM identities WHERE workspace_id = \(workspaceID) AND profile_id = ANY(\(profiles))", logger: logger
        ).decode((String, String).self) {
            types.append(type)
            tokens.append(token)
        }
        removed["failed_events"] = try await eraseFailedEvents(matching: Set(zip(types, tokens).map { "\($0)/\($1)" }), on: connection)
        for try await (resolutions, events, messageIDs, rejections) in try await connection.query(
            """
            WITH resolved AS (
                DELETE FROM event_profiles WHERE workspace_id = \(workspaceID) AND profile_id = ANY(\(profiles))
                RETURNING received_at, message_id
            ), events AS (
                DELETE FROM events e USING resolved r
                WHERE e.workspace_id = \(workspaceID) AND e.received_at = r.received_at AND e.message_id = r.message_id
                RETURNING e.source_id, e.message_id, e.received_at
            ), message_ids AS (
                DELETE FROM event_message_ids m USING events e
                WHERE m.workspace_id = \(workspaceID) AND m.source_id = e.source_id AND m.message_id = e.message_id
                RETURNING 1
            ), rejections AS (
                DELETE FROM event_rejections j USING events e
                WHERE j.workspace_id = \(workspaceID) AND j.received_at = e.received_at AND j.message_id = e.message_id
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM resolved), (SELECT count(*) FROM events), (SELECT count(*) FROM message_ids), (SELECT count(*) FROM rejections)
            """,
            logger: logger
        ).decode((Int, Int, Int, Int).self) {
            removed["event_profiles"] = resolutions
            removed["events"] = events
            removed["event_message_ids"] = messageIDs
            removed["event_rejections"] = rejections
        }
        removed["identity_edges"] = try await count(
            """
            DELETE FROM identity_edges e USING unnest(\(types)::text[], \(tokens)::text[]) AS i (type, token)
            WHERE e.workspace_id = \(workspaceID)
              AND ((e.from_type = i.type AND e.from_token = decode(i.token, 'hex')) OR (e.to_type = i.type AND e.to_token = decode(i.token, 'hex')))
            RETURNING 1
            """,
            on: connection
        )
        removed["identity_conflicts"] = try await count(
            """
            DELETE FROM identity_conflicts c WHERE c.workspace_id = \(workspaceID)
              AND (c.profile_id = ANY(\(profiles)) OR EXISTS (
                SELECT 1 FROM unnest(\(types)::text[], \(tokens)::text[]) AS i (type, token) WHERE c.type = i.type AND c.token = decode(i.token, 'hex')
              ))
            RETURNING 1
            """,
            on: connection
        )
        removed["profile_merges"] = try await count(
            """
            DELETE FROM profile_merges WHERE workspace_id = \(workspaceID)
              AND (into_profile = ANY(\(profiles)) OR from_profile = ANY(\(profiles)))
            RETURNING 1
            """,
            on: connection
        )
        removed["profile_splits"] = try await count(
            """
            DELETE FROM profile_splits WHERE workspace_id = \(workspaceID)
              AND (profile_id = ANY(\(profiles)) OR new_profiles && \(profiles)::uuid[])
            RETURNING 1
            """,
            on: connection
        )
        removed["identities"] = try await count(
            "DELETE FROM identities WHERE workspace_id = \(workspaceID) AND profile_id = ANY(\(profiles)) RETURNING 1", on: connection
        )
        removed["profiles"] = try await count(
            "DELETE FROM profiles WHERE workspace_id = \(workspaceID) AND id = ANY(\(profiles)) RETURNING 1", on: connection
        )
        return removed
    }

    /// Deletes the failed events that carry one of the identifiers ("type/token hex"); returns how many.
    private func eraseFailedEvents(matching identifiers: Set<String>, on connection: PostgresConnection) async throws -> Int {
        guard !identifiers.isEmpty else { return 0 }
        let workspaceID = graph.workspaceID
        let context = FailedEventSealing.context(workspaceID)
        var after: Int64 = 0
        var matched: [Int64] = []
        while true {
            var read = 0
            for try await (id, sealed) in try await connection.query(
                """
                SELECT id, payload_sealed FROM failed_events WHERE workspace_id = \(workspaceID) AND id > \(after)
                ORDER BY id LIMIT \(Self.failedEventsPerRead)
                """,
                logger: logger
            ).decode((Int64, Data).self) {
                read += 1
                after = id
                // One that cannot be opened (sealed under a key since rotated away) names no one this can find.
                guard let payload = try? graph.keys.dataKey.open(sealed, context: context),
                      let message = (try? JSONValue.parse(payload))?.objectValue
                else { continue }
                let carried = Identifier.of(message, rules: graph.rules)
                if carried.identifiers.contains(where: { identifiers.contains("\($0.type)/\(graph.token($0))") }) { matched.append(id) }
            }
            if read < Self.failedEventsPerRead { break }
        }
        guard !matched.isEmpty else { return 0 }
        return try await count("DELETE FROM failed_events WHERE workspace_id = \(workspaceID) AND id = ANY(\(matched)) RETURNING 1", on: connection)
    }

    private func count(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> Int {
        try await connection.query(query, logger: logger).collectAll().count
    }
}
