import Foundation
import Logging
import Metrics
import PostgresNIO
import Shared

/// The identity graph of one workspace, changed one event at a time inside the caller's transaction
/// (the outbox consumer's, so the graph change, its outbox messages and the cursor commit together).
struct IdentityGraph: Sendable {
    let workspaceID: UUID
    let keys: WorkspaceKeys
    let keyring: MasterKeyring
    let rules: IdentityRules
    let ruleVersion: Int
    let logger: Logger

    /// What resolving one event did.
    struct Outcome: Sendable, Equatable {
        var profileID: UUID?
        var created = false
        var merged: [UUID] = []
        var changedTraits: [String] = []
        var attached = 0
        var conflicts = 0
    }

    func resolve(_ event: StoredEvent, on connection: PostgresConnection) async throws -> Outcome {
        var (identifiers, previousID) = Identifier.of(event.message, rules: rules)
        if let previousID {
            identifiers.append(try await previousIdentifier(previousID, on: connection))
        }
        guard !identifiers.isEmpty else { return Outcome() }
        let tokens = Dictionary(identifiers.map { ($0, token($0)) }, uniquingKeysWith: { first, _ in first })
        try await lockIdentifiers(identifiers, tokens: tokens, on: connection)
        var owners: [Identifier: UUID] = [:]
        var profiles: [UUID: ProfileSnapshot] = [:]
        // Another worker may merge one of these profiles away between reading the owners and locking
        // them; once locked, a profile can no longer change, so read again until none was merged away.
        for attempt in 1...10 {
            owners = try await self.owners(of: identifiers, tokens: tokens, on: connection)
            guard let locked = try await lockProfiles(Set(owners.values), on: connection) else {
                if attempt == 10 { throw KinshipError.internalError }
                continue
            }
            profiles = locked
            break
        }
        let plan = ResolutionPlanner.plan(identifiers, owners: owners, profiles: profiles, rules: rules)

        var outcome = Outcome(merged: plan.merged, attached: plan.attach.count, conflicts: plan.conflicts.count)
        let target: UUID
        let targetKey: DataKey
        var traits: ProfileTraits
        if let existing = plan.target {
            target = existing
            targetKey = try await profileKey(existing, on: connection)
            traits = try await loadTraits(existing, key: targetKey, on: connection)
        } else {
            (target, targetKey) = try await createProfile(on: connection)
            traits = ProfileTraits()
            outcome.created = true
        }
        outcome.profileID = target
        for loser in plan.merged {
            outcome.changedTraits += traits.absorb(try await fold(loser, into: target, targetKey: targetKey, message: event.messageId, on: connection))
        }
        try await attach(plan.attach, tokens: tokens, to: target, key: targetKey, on: connection)
        try await touch(plan.joined.filter { !plan.attach.contains($0) }, tokens: tokens, on: connection)
        try await recordEdges(plan.joined, tokens: tokens, event: event, on: connection)
        try await recordConflicts(plan.conflicts, tokens: tokens, profile: target, event: event, on: connection)
        outcome.changedTraits += traits.apply(event.traits, at: event.eventTime, source: event.sourceID.uuidString.lowercased())
        outcome.changedTraits = Array(Set(outcome.changedTraits)).sorted()
        try await saveTraits(traits, of: target, key: targetKey, on: connection)
        try await flagIfLarge(target, on: connection)
        try await connection.query(
            "UPDATE events SET profile_id = \(target) WHERE workspace_id = \(workspaceID) AND received_at = \(event.receivedAt)::timestamptz AND message_id = \(event.messageId)",
            logger: logger
        )
        try await announce(outcome, event: event, on: connection)
        return outcome
    }

    func token(_ identifier: Identifier) -> String {
        keys.blindIndex.token(type: identifier.type, normalizedValue: identifier.value).hexString
    }

    /// An alias's `previousId` is the user id it names when one exists, else an anonymous id.
    private func previousIdentifier(_ value: String, on connection: PostgresConnection) async throws -> Identifier {
        let asUser = Identifier(type: Identifier.userID, value: value)
        let known = try await connection.query(
            "SELECT 1 FROM identities WHERE workspace_id = \(workspaceID) AND type = 'user_id' AND token = decode(\(token(asUser)), 'hex')",
            logger: logger
        ).decode(Int.self).first(where: { _ in true }) != nil
        return known ? asUser : Identifier(type: Identifier.anonymousID, value: value)
    }

    /// Serialises events that share an identifier, in one global order, so workers never deadlock on them.
    private func lockIdentifiers(_ identifiers: [Identifier], tokens: [Identifier: String], on connection: PostgresConnection) async throws {
        let names = identifiers.map { "\(workspaceID.uuidString.lowercased())/\($0.type)/\(tokens[$0]!)" }
        try await connection.query(
            "SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) FROM (SELECT k FROM unnest(\(names)::text[]) AS k ORDER BY k) AS ordered",
            logger: logger
        )
    }

    private func owners(of identifiers: [Identifier], tokens: [Identifier: String], on connection: PostgresConnection) async throws -> [Identifier: UUID] {
        let byToken = Dictionary(identifiers.map { ("\($0.type)/\(tokens[$0]!)", $0) }, uniquingKeysWith: { first, _ in first })
        var owners: [Identifier: UUID] = [:]
        for try await (type, token, profile) in try await connection.query(
            """
            SELECT i.type, encode(i.token, 'hex'), coalesce(p.merged_into, p.id) FROM identities i
            JOIN unnest(\(identifiers.map(\.type))::text[], \(identifiers.map { tokens[$0]! })::text[]) AS w(type, token)
              ON i.type = w.type AND i.token = decode(w.token, 'hex')
            JOIN profiles p ON p.workspace_id = i.workspace_id AND p.id = i.profile_id
            WHERE i.workspace_id = \(workspaceID)
            """,
            logger: logger
        ).decode((String, String, UUID).self) {
            if let identifier = byToken["\(type)/\(token)"] { owners[identifier] = profile }
        }
        return owners
    }

    /// Locks the profiles in id order (a fixed order: no deadlock between workers) and reads what the
    /// planner needs of them; nil when one was merged away meanwhile (the owners must be read again).
    private func lockProfiles(_ ids: Set<UUID>, on connection: PostgresConnection) async throws -> [UUID: ProfileSnapshot]? {
        guard !ids.isEmpty else { return [:] }
        var profiles: [UUID: ProfileSnapshot] = [:]
        var mergedAway = false
        for try await (id, createdAt, large, mergedInto) in try await connection.query(
            """
            SELECT id, created_at, coalesce((flags->>'large')::boolean, false), merged_into FROM profiles
            WHERE workspace_id = \(workspaceID) AND id = ANY(\(Array(ids))) ORDER BY id FOR UPDATE
            """,
            logger: logger
        ).decode((UUID, Date, Bool, UUID?).self) {
            if mergedInto != nil { mergedAway = true }
            profiles[id] = ProfileSnapshot(id: id, createdAt: createdAt, counts: [:], flaggedLarge: large)
        }
        if mergedAway { return nil }
        for try await (id, type, count) in try await connection.query(
            "SELECT profile_id, type, count(*)::int FROM identities WHERE workspace_id = \(workspaceID) AND profile_id = ANY(\(Array(ids))) GROUP BY 1, 2",
            logger: logger
        ).decode((UUID, String, Int).self) {
            profiles[id]?.counts[type] = count
        }
        return profiles
    }
}
