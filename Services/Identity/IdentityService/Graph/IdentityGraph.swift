import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import Logging
import Metrics
import PostgresNIO

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
    /// What the workspace's privacy policy classifies as personal or sensitive: such traits are sealed.
    var personalData: PersonalData = .standard

    /// What the events carry, each identifier with its token, worked out before anything is locked.
    func carried(by events: [StoredEvent]) -> CarriedIdentifiers {
        let carried = events.map { Identifier.of($0.message, rules: rules) }
        // An alias's previousId may name a user id or an anonymous id: look up both.
        // Each identifier's token once per batch: the keyed hash is most of what planning costs.
        var tokens: [Identifier: String] = [:]
        var candidates: [[Identifier]] = []
        for (identifiers, previousID) in carried {
            let mayJoin = identifiers + (previousID.map {
                [Identifier(type: Identifier.userID, value: $0), Identifier(type: Identifier.anonymousID, value: $0)]
            } ?? [])
            for identifier in mayJoin where tokens[identifier] == nil { tokens[identifier] = token(identifier) }
            candidates.append(mayJoin)
        }
        return CarriedIdentifiers(events: events, identifiers: carried, candidates: candidates, tokens: tokens)
    }

    /// Resolves the events in order, their identifiers locked by the caller (`BatchLocks`): reads the
    /// profiles those identifiers own and locks them, plans each event in memory against what the ones
    /// before it did (`GraphBatch`), then writes the result.
    func resolve(_ carried: CarriedIdentifiers, on connection: PostgresConnection) async throws {
        guard !carried.tokens.isEmpty else { return }
        var ownership = IdentifierOwnership()
        var profiles: [GraphBatch.Profile] = []
        // Another worker may merge one of these profiles away between reading the owners and locking
        // them; once locked, a profile can no longer change, so read again until none was merged away.
        // A merge moves every identifier of the merged profile, so the owners read first are live ones
        // but for such a race; the next reads follow `merged_into` too, should a pointer ever be stale.
        for attempt in 1...10 {
            ownership = try await self.ownership(of: carried.tokens, followingMerges: attempt > 1, on: connection)
            guard let locked = try await lockProfiles(Set(ownership.owners.values), on: connection) else {
                if attempt == 10 { throw KinshipError.internalError }
                continue
            }
            profiles = locked
            break
        }
        let known = carried.tokens
        var batch = GraphBatch(rules: rules, profiles: profiles, owners: ownership.owners, token: { known[$0] ?? token($0) }, source: { $0.sourceID.lowercased })
        for (event, (identifiers, previousID)) in zip(carried.events, carried.identifiers) {
            batch.resolve(event, identifiers: identifiers + (previousID.map { [batch.previousIdentifier($0)] } ?? []))
        }
        try await write(batch, staleSightings: ownership.staleSightings, on: connection)
    }

    /// The name of an identifier's lock, unique across workspaces.
    func lockName(type: String, token: String) -> String { "\(workspaceID.lowercased)/\(type)/\(token)" }

    func token(_ identifier: Identifier) -> String {
        keys.blindIndex.token(type: identifier.type, normalizedValue: identifier.value).hexString
    }

    /// Serialises unmerges with events that share an identifier, in the global order events wait in
    /// (`BatchLocks`). Identifiers are given as type and blind-index token (hex).
    func lockIdentifiers(_ identifiers: [(type: String, token: String)], on connection: PostgresConnection) async throws {
        try await BatchLocks.wait(for: identifiers.map { lockName(type: $0.type, token: $0.token) }, on: connection, logger: logger)
    }

    /// What the database holds of a batch's identifiers: the live profile of each one held ("type/token"
    /// → profile), and which of them were last seen over an hour ago (`touch` rewrites only those).
    struct IdentifierOwnership {
        var owners: [String: UUID] = [:]
        var staleSightings: Set<String> = []
    }

    /// One primary-key probe per identifier (`LIMIT 1` in a lateral join): the planner cannot turn it into
    /// a scan of the workspace's identifiers, which it did when statistics were stale, nor into one index
    /// descent per type and token pair, which `= ANY` on both columns costs. `followingMerges` probes each
    /// owner's profile too, for where it was merged (about half the statement's cost, so only on a retry).
    private func ownership(of tokens: [Identifier: String], followingMerges: Bool, on connection: PostgresConnection) async throws -> IdentifierOwnership {
        let pairs = tokens.map { (type: $0.key.type, token: $0.value) }
        var ownership = IdentifierOwnership()
        for try await (type, token, profile, stale) in try await connection.query(
            """
            SELECT w.type, w.token, coalesce(p.merged_into, i.profile_id), i.last_seen_at < now() - interval '1 hour'
            FROM unnest(\(pairs.map(\.type))::text[], \(pairs.map(\.token))::text[]) AS w(type, token)
            CROSS JOIN LATERAL (
              SELECT i.profile_id, i.last_seen_at FROM identities i
              WHERE i.workspace_id = \(workspaceID) AND i.type = w.type AND i.token = decode(w.token, 'hex') LIMIT 1
            ) AS i
            LEFT JOIN LATERAL (
              SELECT p.merged_into FROM profiles p
              WHERE \(followingMerges) AND p.workspace_id = \(workspaceID) AND p.id = i.profile_id LIMIT 1
            ) AS p ON true
            """,
            logger: logger
        ).decode((String, String, UUID, Bool).self) {
            let name = "\(type)/\(token)"
            ownership.owners[name] = profile
            if stale { ownership.staleSightings.insert(name) }
        }
        return ownership
    }

    /// Locks the profiles in id order (a fixed order: no deadlock between workers) and reads what the
    /// batch needs of them, each by its key (see `ownership`); nil when one was merged away meanwhile (the
    /// owners must be read again).
    private func lockProfiles(_ ids: Set<UUID>, on connection: PostgresConnection) async throws -> [GraphBatch.Profile]? {
        guard !ids.isEmpty else { return [] }
        var profiles: [GraphBatch.Profile] = []
        var mergedAway = false
        for try await (id, createdAt, large, mergedInto, wrapped, traits, merges, types, counts) in try await connection.query(
            """
            SELECT p.id, p.created_at, coalesce((p.flags->>'large')::boolean, false), p.merged_into, p.data_key, p.traits::text,
                   p.merge_count, c.types, c.counts
            FROM unnest(\(ids.sorted())::uuid[]) AS n(id)
            CROSS JOIN LATERAL (SELECT * FROM profiles p WHERE p.workspace_id = \(workspaceID) AND p.id = n.id LIMIT 1 FOR UPDATE) AS p
            CROSS JOIN LATERAL (
              SELECT array_agg(c.key) AS types, array_agg(c.value::int) AS counts FROM jsonb_each_text(p.identity_counts) AS c
            ) AS c
            """,
            logger: logger
        ).decode((UUID, Date, Bool, UUID?, Data, String, Int, [String]?, [Int]?).self) {
            if mergedInto != nil { mergedAway = true }
            if mergedAway { continue }
            let key = try keyring.unwrap(wrapped)
            profiles.append(GraphBatch.Profile(
                id: id, createdAt: createdAt, key: key, isNew: false,
                counts: Dictionary(uniqueKeysWithValues: zip(types ?? [], counts ?? [])), merges: merges, flagged: large,
                traits: try ProfileTraits.open(try JSONValue.parse(traits), key: key, workspaceID: workspaceID, profileID: id)
            ))
        }
        return mergedAway ? nil : profiles
    }
}
