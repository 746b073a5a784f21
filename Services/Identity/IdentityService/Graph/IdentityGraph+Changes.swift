import Foundation
import Metrics
import PostgresNIO
import Shared

extension IdentityGraph {
    /// A new, empty profile and its freshly generated data key.
    func createProfile(on connection: PostgresConnection) async throws -> (UUID, DataKey) {
        let id = UUID()
        let key = DataKey.generate()
        let wrapped = try keyring.wrap(key)
        try await connection.query(
            "INSERT INTO profiles (workspace_id, id, data_key) VALUES (\(workspaceID), \(id), \(wrapped))",
            logger: logger
        )
        return (id, key)
    }

    /// The profile's own data key, which seals its identifier values and PII traits.
    func profileKey(_ profile: UUID, on connection: PostgresConnection) async throws -> DataKey {
        for try await wrapped in try await connection.query(
            "SELECT data_key FROM profiles WHERE workspace_id = \(workspaceID) AND id = \(profile)", logger: logger
        ).decode(Data.self) {
            return try keyring.unwrap(wrapped)
        }
        throw KinshipError.notFound("Profile \(profile) does not exist.")
    }

    func loadTraits(_ profile: UUID, key: DataKey, on connection: PostgresConnection) async throws -> ProfileTraits {
        for try await text in try await connection.query(
            "SELECT traits::text FROM profiles WHERE workspace_id = \(workspaceID) AND id = \(profile)", logger: logger
        ).decode(String.self) {
            let stored = try JSONValue.parse(text)
            return try ProfileTraits.open(stored, key: key, workspaceID: workspaceID, profileID: profile)
        }
        return ProfileTraits()
    }

    func saveTraits(_ traits: ProfileTraits, of profile: UUID, key: DataKey, on connection: PostgresConnection) async throws {
        let stored = try traits.stored(key: key, workspaceID: workspaceID, profileID: profile, piiKeys: piiKeys)
        let text = stored.serialized()
        try await connection.query(
            "UPDATE profiles SET traits = \(text)::jsonb, updated_at = now() WHERE workspace_id = \(workspaceID) AND id = \(profile)",
            logger: logger
        )
    }

    var piiKeys: SealedFields { SealedFields(key: keys.dataKey, workspaceID: workspaceID) }

    /// What an identifier's sealed value is bound to: its workspace and type.
    func identityContext(_ type: String) -> Data {
        Data("kinship.identity/\(workspaceID.uuidString.lowercased())/\(type)".utf8)
    }

    func attach(_ identifiers: [Identifier], tokens: [Identifier: String], to profile: UUID, key: DataKey, on connection: PostgresConnection) async throws {
        guard !identifiers.isEmpty else { return }
        let sealed = try identifiers.map { try key.seal($0.value, context: identityContext($0.type)).base64EncodedString() }
        try await connection.query(
            """
            INSERT INTO identities (workspace_id, type, token, value_sealed, profile_id)
            SELECT \(workspaceID), t, decode(k, 'hex'), decode(v, 'base64'), \(profile)
            FROM unnest(\(identifiers.map(\.type))::text[], \(identifiers.map { tokens[$0]! })::text[], \(sealed)::text[]) AS n(t, k, v)
            """,
            logger: logger
        )
    }

    func touch(_ identifiers: [Identifier], tokens: [Identifier: String], on connection: PostgresConnection) async throws {
        guard !identifiers.isEmpty else { return }
        try await connection.query(
            """
            UPDATE identities i SET last_seen_at = now()
            FROM unnest(\(identifiers.map(\.type))::text[], \(identifiers.map { tokens[$0]! })::text[]) AS n(t, k)
            WHERE i.workspace_id = \(workspaceID) AND i.type = n.t AND i.token = decode(n.k, 'hex')
            """,
            logger: logger
        )
    }

    /// Folds `loser` into `target`: its identifiers (re-sealed under the target's key), its events, and
    /// any profile that pointed at it; it keeps pointing at the target so its id still resolves.
    /// Returns its traits, for the caller to absorb.
    func fold(_ loser: UUID, into target: UUID, targetKey: DataKey, message: String, on connection: PostgresConnection) async throws -> ProfileTraits {
        let loserKey = try await profileKey(loser, on: connection)
        let traits = try await loadTraits(loser, key: loserKey, on: connection)
        var moved: [(type: String, token: String, sealed: String)] = []
        for try await (type, token, sealed) in try await connection.query(
            "SELECT type, encode(token, 'hex'), value_sealed FROM identities WHERE workspace_id = \(workspaceID) AND profile_id = \(loser)",
            logger: logger
        ).decode((String, String, Data).self) {
            let value = try loserKey.open(sealed, context: identityContext(type))
            moved.append((type, token, try targetKey.seal(value, context: identityContext(type)).base64EncodedString()))
        }
        if !moved.isEmpty {
            try await connection.query(
                """
                UPDATE identities i SET profile_id = \(target), value_sealed = decode(n.v, 'base64')
                FROM unnest(\(moved.map(\.type))::text[], \(moved.map(\.token))::text[], \(moved.map(\.sealed))::text[]) AS n(t, k, v)
                WHERE i.workspace_id = \(workspaceID) AND i.type = n.t AND i.token = decode(n.k, 'hex')
                """,
                logger: logger
            )
        }
        try await connection.query(
            """
            UPDATE profiles SET merged_into = \(target), traits = '{}', updated_at = now()
            WHERE workspace_id = \(workspaceID) AND (id = \(loser) OR merged_into = \(loser))
            """,
            logger: logger
        )
        try await connection.query(
            "UPDATE events SET profile_id = \(target) WHERE workspace_id = \(workspaceID) AND profile_id = \(loser)",
            logger: logger
        )
        try await connection.query(
            """
            INSERT INTO profile_merges (workspace_id, into_profile, from_profile, message_id, rule_version)
            VALUES (\(workspaceID), \(target), \(loser), \(message), \(ruleVersion))
            """,
            logger: logger
        )
        Counter(label: "kinship_identity_merges_total").increment()
        return traits
    }

    /// Edges from the event's anchor (its strongest identifier) to each other identifier it joined.
    func recordEdges(_ joined: [Identifier], tokens: [Identifier: String], event: StoredEvent, on connection: PostgresConnection) async throws {
        guard let anchor = joined.first, joined.count > 1 else { return }
        let others = Array(joined.dropFirst())
        try await connection.query(
            """
            INSERT INTO identity_edges (workspace_id, from_type, from_token, to_type, to_token, message_id, event_received_at, rule_version)
            SELECT \(workspaceID), \(anchor.type), decode(\(tokens[anchor]!), 'hex'), t, decode(k, 'hex'), \(event.messageId),
                   \(event.receivedAt)::timestamptz, \(ruleVersion)
            FROM unnest(\(others.map(\.type))::text[], \(others.map { tokens[$0]! })::text[]) AS n(t, k)
            """,
            logger: logger
        )
    }

    func recordConflicts(_ conflicts: [(Identifier, String)], tokens: [Identifier: String], profile: UUID, event: StoredEvent, on connection: PostgresConnection) async throws {
        guard !conflicts.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO identity_conflicts (workspace_id, profile_id, type, token, reason, message_id, rule_version)
            SELECT \(workspaceID), \(profile), t, decode(k, 'hex'), r, \(event.messageId), \(ruleVersion)
            FROM unnest(\(conflicts.map(\.0.type))::text[], \(conflicts.map { tokens[$0.0]! })::text[], \(conflicts.map(\.1))::text[]) AS n(t, k, r)
            """,
            logger: logger
        )
        Counter(label: "kinship_identity_conflicts_total").increment(by: conflicts.count)
        logger.info("identifiers not attached", metadata: ["profile": "\(profile)", "count": "\(conflicts.count)", "message_id": "\(event.messageId)"])
    }

    /// Flags a profile whose identifiers or merges reach the size alarm; later merges into it need allowance.
    func flagIfLarge(_ profile: UUID, on connection: PostgresConnection) async throws {
        let flagged = try await connection.query(
            """
            UPDATE profiles SET flags = flags || '{"large": true}'
            WHERE workspace_id = \(workspaceID) AND id = \(profile) AND NOT coalesce((flags->>'large')::boolean, false)
              AND ((SELECT count(*) FROM identities WHERE workspace_id = \(workspaceID) AND profile_id = \(profile)) >= \(rules.sizeAlarm)
                OR (SELECT count(*) FROM profile_merges WHERE workspace_id = \(workspaceID) AND into_profile = \(profile)) >= \(rules.sizeAlarm))
            RETURNING 1
            """,
            logger: logger
        ).decode(Int.self).first(where: { _ in true }) != nil
        if flagged {
            Counter(label: "kinship_identity_large_profiles_total").increment()
            logger.warning("profile reached the size alarm", metadata: ["profile": "\(profile)"])
        }
    }

    /// `profile.created`, `profile.merged` and `profile.updated` on the `profiles` topic, in this transaction.
    func announce(_ outcome: Outcome, event: StoredEvent, on connection: PostgresConnection) async throws {
        guard let profile = outcome.profileID else { return }
        let key = profile.uuidString.lowercased()
        var drafts: [OutboxDraft] = []
        func draft(_ change: ProfileChange) throws {
            drafts.append(try OutboxDraft(topic: .profiles, workspaceID: workspaceID, key: key, payload: change))
        }
        if outcome.created { try draft(ProfileChange(kind: "profile.created", profileId: key, messageId: event.messageId)) }
        for loser in outcome.merged {
            try draft(ProfileChange(kind: "profile.merged", profileId: key, messageId: event.messageId, mergedProfileId: loser.uuidString.lowercased()))
        }
        if !outcome.changedTraits.isEmpty || outcome.attached > 0 || !outcome.merged.isEmpty {
            try draft(ProfileChange(kind: "profile.updated", profileId: key, messageId: event.messageId, changedTraits: outcome.changedTraits))
        }
        try await Outbox.append(drafts, on: connection, logger: logger)
    }
}
