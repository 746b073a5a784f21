import Foundation
import Logging
import Metrics
import PostgresNIO
import Shared

/// The identity graph of one workspace, changed a batch of events at a time inside the caller's
/// transaction (the outbox consumer's, so the graph change, its outbox messages and the cursor commit
/// together).
struct IdentityGraph: Sendable {
    let workspaceID: UUID
    let keys: WorkspaceKeys
    let keyring: MasterKeyring
    let rules: IdentityRules
    let ruleVersion: Int
    let logger: Logger

    /// Resolves the events in order: locks every identifier they carry and the profiles those own, plans
    /// each event in memory against what the ones before it did (`GraphBatch`), then writes the result.
    func resolve(_ events: [StoredEvent], on connection: PostgresConnection) async throws {
        let carried = events.map { Identifier.of($0.message, rules: rules) }
        // An alias's previousId may name a user id or an anonymous id: look up both.
        // Each identifier's token once per batch: the keyed hash is most of what planning costs.
        var tokens: [Identifier: String] = [:]
        var names: [String: Identifier] = [:]
        for (identifiers, previousID) in carried {
            let candidates = identifiers + (previousID.map {
                [Identifier(type: Identifier.userID, value: $0), Identifier(type: Identifier.anonymousID, value: $0)]
            } ?? [])
            for identifier in candidates where tokens[identifier] == nil {
                let token = token(identifier)
                tokens[identifier] = token
                names["\(identifier.type)/\(token)"] = identifier
            }
        }
        guard !names.isEmpty else { return }
        try await lockIdentifiers(names.keys.map(Self.split), on: connection)
        var owners: [String: UUID] = [:]
        var profiles: [GraphBatch.Profile] = []
        // Another worker may merge one of these profiles away between reading the owners and locking
        // them; once locked, a profile can no longer change, so read again until none was merged away.
        for attempt in 1...10 {
            owners = try await self.owners(of: Array(names.keys), on: connection)
            guard let locked = try await lockProfiles(Set(owners.values), on: connection) else {
                if attempt == 10 { throw KinshipError.internalError }
                continue
            }
            profiles = locked
            break
        }
        let known = tokens
        var batch = GraphBatch(rules: rules, profiles: profiles, owners: owners, token: { known[$0] ?? token($0) }, source: { $0.sourceID.lowercased })
        for (event, (identifiers, previousID)) in zip(events, carried) {
            batch.resolve(event, identifiers: identifiers + (previousID.map { [batch.previousIdentifier($0)] } ?? []))
        }
        try await write(batch, on: connection)
    }

    func token(_ identifier: Identifier) -> String {
        keys.blindIndex.token(type: identifier.type, normalizedValue: identifier.value).hexString
    }

    private static func split(_ name: String) -> (type: String, token: String) {
        let slash = name.lastIndex(of: "/")!
        return (String(name[..<slash]), String(name[name.index(after: slash)...]))
    }

    /// Serialises events (and unmerges) that share an identifier, in one global order, so workers never
    /// deadlock on them. Identifiers are given as type and blind-index token (hex).
    func lockIdentifiers(_ identifiers: [(type: String, token: String)], on connection: PostgresConnection) async throws {
        guard !identifiers.isEmpty else { return }
        let names = identifiers.map { "\(workspaceID.uuidString.lowercased())/\($0.type)/\($0.token)" }
        try await connection.query(
            "SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) FROM (SELECT k FROM unnest(\(names)::text[]) AS k ORDER BY k) AS ordered",
            logger: logger
        )
    }

    /// "type/token" → the live profile holding it, for those held. The `= ANY` conditions repeat the join
    /// so that the primary key is probed whatever the statistics say (stale ones chose to hash the whole
    /// workspace's identifiers).
    private func owners(of names: [String], on connection: PostgresConnection) async throws -> [String: UUID] {
        let pairs = names.map(Self.split)
        var owners: [String: UUID] = [:]
        for try await (type, token, profile) in try await connection.query(
            """
            SELECT i.type, encode(i.token, 'hex'), coalesce(p.merged_into, p.id) FROM identities i
            JOIN unnest(\(pairs.map(\.type))::text[], \(pairs.map(\.token))::text[]) AS w(type, token)
              ON i.type = w.type AND i.token = decode(w.token, 'hex')
            JOIN profiles p ON p.workspace_id = i.workspace_id AND p.id = i.profile_id
            WHERE i.workspace_id = \(workspaceID) AND i.type = ANY(\(Array(Set(pairs.map(\.type))))::text[])
              AND i.token = ANY(ARRAY(SELECT decode(k, 'hex') FROM unnest(\(pairs.map(\.token))::text[]) AS k))
            """,
            logger: logger
        ).decode((String, String, UUID).self) {
            owners["\(type)/\(token)"] = profile
        }
        return owners
    }

    /// Locks the profiles in id order (a fixed order: no deadlock between workers) and reads what the
    /// batch needs of them; nil when one was merged away meanwhile (the owners must be read again).
    private func lockProfiles(_ ids: Set<UUID>, on connection: PostgresConnection) async throws -> [GraphBatch.Profile]? {
        guard !ids.isEmpty else { return [] }
        var rows: [(UUID, Date, Bool, Data, String, Int)] = []
        var mergedAway = false
        for try await (id, createdAt, large, mergedInto, wrapped, traits, merges) in try await connection.query(
            """
            SELECT p.id, p.created_at, coalesce((p.flags->>'large')::boolean, false), p.merged_into, p.data_key, p.traits::text,
                   (SELECT count(*)::int FROM profile_merges m WHERE m.workspace_id = p.workspace_id AND m.into_profile = p.id)
            FROM profiles p WHERE p.workspace_id = \(workspaceID) AND p.id = ANY(\(Array(ids))) ORDER BY p.id FOR UPDATE
            """,
            logger: logger
        ).decode((UUID, Date, Bool, UUID?, Data, String, Int).self) {
            if mergedInto != nil { mergedAway = true }
            rows.append((id, createdAt, large, wrapped, traits, merges))
        }
        if mergedAway { return nil }
        var counts: [UUID: [String: Int]] = [:]
        for try await (id, type, count) in try await connection.query(
            "SELECT profile_id, type, count(*)::int FROM identities WHERE workspace_id = \(workspaceID) AND profile_id = ANY(\(Array(ids))) GROUP BY 1, 2",
            logger: logger
        ).decode((UUID, String, Int).self) {
            counts[id, default: [:]][type] = count
        }
        return try rows.map { id, createdAt, large, wrapped, traits, merges in
            let key = try keyring.unwrap(wrapped)
            return GraphBatch.Profile(
                id: id, createdAt: createdAt, key: key, isNew: false, counts: counts[id] ?? [:], merges: merges, flagged: large,
                traits: try ProfileTraits.open(try JSONValue.parse(traits), key: key, workspaceID: workspaceID, profileID: id)
            )
        }
    }
}
