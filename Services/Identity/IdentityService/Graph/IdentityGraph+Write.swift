import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import Metrics
import PostgresNIO

extension IdentityGraph {
    /// Writes what a batch did, a statement per kind of change rather than per event: new profiles,
    /// merges (identifiers re-sealed under the surviving key, events re-pointed, history), attached and
    /// seen identifiers, edges and conflicts, traits and counts, size flags, the events' profiles, and the
    /// `profile.*` messages on the `profiles` topic. `staleSightings` names the held identifiers last seen
    /// over an hour ago.
    func write(_ batch: GraphBatch, staleSightings: Set<String>, on connection: PostgresConnection) async throws {
        try await insertProfiles(batch.createdAtEnd, on: connection)
        try await writeMerges(batch, on: connection)
        try await insertIdentities(batch, on: connection)
        try await touch(batch.touched.filter { staleSightings.contains($0.key) }.map(\.value), token: batch.token, on: connection)
        try await insertEdges(batch.edges, token: batch.token, on: connection)
        try await insertConflicts(batch.conflicts, token: batch.token, on: connection)
        try await saveProfiles(batch.profiles.values.filter { !$0.isNew && ($0.traitsChanged || $0.countsChanged) }, on: connection)
        try await flag(batch.profiles.values.filter(\.newlyFlagged).map(\.id), on: connection)
        try await recordProfiles(of: batch, on: connection)
        var drafts = try batch.changes.map { try OutboxDraft(topic: .profiles, workspaceID: workspaceID, key: $0.profileId, payload: $0) }
        drafts += resolutionDrafts(batch)
        try await Outbox.append(drafts, on: connection, logger: logger)
    }

    /// The `resolutions` messages: which profile (after this batch's merges) each event went to, for
    /// segmentation, in resolution order.
    private func resolutionDrafts(_ batch: GraphBatch) -> [OutboxDraft] {
        let resolutions = batch.resolved.map {
            EventResolution(messageId: $0.event.messageId, receivedAt: $0.event.receivedAt, profileId: batch.live($0.profile))
        }
        return EventResolution.messages(resolutions).map {
            OutboxDraft(topic: .resolutions, workspaceID: workspaceID, key: $0.key, payload: $0.payload)
        }
    }

    /// Each event's profile (after this batch's merges), in `event_profiles`: appended, as events are, with a
    /// track event's name for segment conditions to find a profile's events of one name by the index alone.
    /// An event resolved again (a replayed cursor) takes its new answer.
    private func recordProfiles(of batch: GraphBatch, on connection: PostgresConnection) async throws {
        let resolved = batch.resolved
        guard !resolved.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO event_profiles (workspace_id, received_at, message_id, profile_id, event_time, track_event)
            SELECT \(workspaceID), r, m, p, t, nullif(n.e, '')
            FROM unnest(\(resolved.map(\.event.receivedAt))::timestamptz[], \(resolved.map(\.event.messageId))::text[],
                        \(resolved.map { batch.live($0.profile) })::uuid[], \(resolved.map(\.event.eventTime))::timestamptz[],
                        \(resolved.map { $0.event.trackEvent ?? "" })::text[]) AS n(r, m, p, t, e)
            ON CONFLICT (workspace_id, received_at, message_id) DO UPDATE SET profile_id = excluded.profile_id, track_event = excluded.track_event
            """,
            logger: logger
        )
    }

    /// The batch's new profiles, as they ended it: key, traits and counts.
    private func insertProfiles(_ created: [GraphBatch.Profile], on connection: PostgresConnection) async throws {
        guard !created.isEmpty else { return }
        let wrapped = try created.map { try keyring.wrap($0.key).base64String }
        let traits = try created.map(storedTraits)
        try await connection.query(
            """
            INSERT INTO profiles (workspace_id, id, data_key, created_at, traits, identity_counts, merge_count)
            SELECT \(workspaceID), i, decode(k, 'base64'), c, t::jsonb, n::jsonb, m
            FROM unnest(\(created.map(\.id))::uuid[], \(wrapped)::text[], \(created.map(\.createdAt))::timestamptz[], \(traits)::text[],
                        \(created.map(Self.storedCounts))::text[], \(created.map(\.merges))::int[]) AS n(i, k, c, t, n, m)
            """,
            logger: logger
        )
    }

    /// Folds each merged-away profile into the profile it ended up in: its identifiers (re-sealed), its
    /// events, and any profile that pointed at it; it keeps pointing there so its id still resolves.
    private func writeMerges(_ batch: GraphBatch, on connection: PostgresConnection) async throws {
        guard !batch.retired.isEmpty else { return }
        let losers = Array(batch.retired.keys)
        let targets = losers.map(batch.live)
        let stored = losers.filter { !batch.retired[$0]!.isNew }
        var moves: [Move] = []
        for (loser, members) in try await members(of: stored, on: connection) {
            let target = batch.live(loser)
            guard let targetKey = batch.profiles[target]?.key, let loserKey = batch.retired[loser]?.key else { continue }
            moves += members.map { Move(member: $0, from: loserKey, to: target, key: targetKey) }
        }
        try await move(moves, on: connection)
        try await connection.query(
            """
            UPDATE profiles p SET merged_into = n.t, traits = '{}', identity_counts = '{}', updated_at = now()
            FROM unnest(\(losers)::uuid[], \(targets)::uuid[]) AS n(l, t)
            WHERE p.workspace_id = \(workspaceID) AND (p.id = n.l OR p.merged_into = n.l)
            """,
            logger: logger
        )
        if !stored.isEmpty {
            // `= ANY` repeats the join so the profile index is probed whatever the statistics say.
            try await connection.query(
                """
                UPDATE event_profiles e SET profile_id = n.t
                FROM unnest(\(stored)::uuid[], \(stored.map(batch.live))::uuid[]) AS n(l, t)
                WHERE e.workspace_id = \(workspaceID) AND e.profile_id = n.l AND e.profile_id = ANY(\(stored)::uuid[])
                """,
                logger: logger
            )
        }
        let merges = batch.merges
        try await connection.query(
            """
            INSERT INTO profile_merges (workspace_id, into_profile, from_profile, message_id, rule_version)
            SELECT \(workspaceID), i, f, m, \(ruleVersion)
            FROM unnest(\(merges.map(\.into))::uuid[], \(merges.map(\.from))::uuid[], \(merges.map(\.messageID))::text[]) AS n(i, f, m)
            """,
            logger: logger
        )
        Counter(label: "kinship_identity_merges_total").increment(by: merges.count)
    }

    /// New identifiers, each sealed under the key of the profile it ended up in.
    private func insertIdentities(_ batch: GraphBatch, on connection: PostgresConnection) async throws {
        let attachments = batch.attachments
        guard !attachments.isEmpty else { return }
        let owners = attachments.map { batch.live($0.profile) }
        let sealed = try zip(attachments, owners).map { attachment, owner in
            try batch.profiles[owner]!.key.seal(attachment.identifier.value, context: identityContext(attachment.identifier.type)).base64String
        }
        try await connection.query(
            """
            INSERT INTO identities (workspace_id, type, token, value_sealed, profile_id)
            SELECT \(workspaceID), t, decode(k, 'hex'), decode(v, 'base64'), p
            FROM unnest(\(attachments.map(\.identifier.type))::text[], \(attachments.map(\.token))::text[], \(sealed)::text[], \(owners)::uuid[]) AS n(t, k, v, p)
            """,
            logger: logger
        )
    }

    /// Last seen is kept to the hour: rewriting every identifier an event carries, on every event, was
    /// a tenth of resolution's database work for a date no one needs to the second; only identifiers
    /// read as last seen over an hour ago come here. The `= ANY`
    /// conditions repeat the join so the primary key is probed whatever the statistics say.
    private func touch(_ identifiers: [Identifier], token: (Identifier) -> String, on connection: PostgresConnection) async throws {
        guard !identifiers.isEmpty else { return }
        let tokens = identifiers.map(token)
        try await connection.query(
            """
            UPDATE identities i SET last_seen_at = now()
            FROM unnest(\(identifiers.map(\.type))::text[], \(tokens)::text[]) AS n(t, k)
            WHERE i.workspace_id = \(workspaceID) AND i.type = n.t AND i.token = decode(n.k, 'hex')
              AND i.type = ANY(\(Array(Set(identifiers.map(\.type))))::text[]) AND i.token = ANY(ARRAY(SELECT decode(k, 'hex') FROM unnest(\(tokens)::text[]) AS k))
            """,
            logger: logger
        )
    }

    /// Edges from each event's anchor (its strongest identifier) to each other identifier it joined.
    private func insertEdges(_ edges: [GraphBatch.Edge], token: (Identifier) -> String, on connection: PostgresConnection) async throws {
        guard !edges.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO identity_edges (workspace_id, from_type, from_token, to_type, to_token, message_id, event_received_at, rule_version, rule)
            SELECT \(workspaceID), ft, decode(fk, 'hex'), tt, decode(tk, 'hex'), m, r, \(ruleVersion), u
            FROM unnest(\(edges.map(\.from.type))::text[], \(edges.map { token($0.from) })::text[], \(edges.map(\.to.type))::text[],
                        \(edges.map { token($0.to) })::text[], \(edges.map(\.event.messageId))::text[],
                        \(edges.map(\.event.receivedAt))::timestamptz[], \(edges.map(\.rule))::text[]) AS n(ft, fk, tt, tk, m, r, u)
            """,
            logger: logger
        )
    }

    /// Identifiers not attached, with the event's anchor, so the event can be replayed under other rules.
    private func insertConflicts(_ conflicts: [GraphBatch.Conflict], token: (Identifier) -> String, on connection: PostgresConnection) async throws {
        guard !conflicts.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO identity_conflicts (workspace_id, profile_id, type, token, reason, message_id, rule_version, anchor_type, anchor_token)
            SELECT \(workspaceID), p, t, decode(k, 'hex'), r, m, \(ruleVersion), at, decode(ak, 'hex')
            FROM unnest(\(conflicts.map(\.profile))::uuid[], \(conflicts.map(\.identifier.type))::text[], \(conflicts.map { token($0.identifier) })::text[],
                        \(conflicts.map(\.reason))::text[], \(conflicts.map(\.event.messageId))::text[], \(conflicts.map(\.anchor.type))::text[],
                        \(conflicts.map { token($0.anchor) })::text[]) AS n(p, t, k, r, m, at, ak)
            """,
            logger: logger
        )
        Counter(label: "kinship_identity_conflicts_total").increment(by: conflicts.count)
        logger.info("identifiers not attached", metadata: ["count": "\(conflicts.count)", "message_id": "\(conflicts[0].event.messageId)"])
    }

    /// Existing profiles whose traits or counts changed, in one statement (traits, given as "", are left
    /// as they are where only counts changed).
    private func saveProfiles(_ profiles: [GraphBatch.Profile], on connection: PostgresConnection) async throws {
        guard !profiles.isEmpty else { return }
        let traits = try profiles.map { $0.traitsChanged ? try storedTraits($0) : "" }
        try await connection.query(
            """
            UPDATE profiles p
            SET traits = coalesce(nullif(n.t, '')::jsonb, p.traits), identity_counts = n.n::jsonb, merge_count = n.m, updated_at = now()
            FROM unnest(\(profiles.map(\.id))::uuid[], \(traits)::text[], \(profiles.map(Self.storedCounts))::text[], \(profiles.map(\.merges))::int[])
                 AS n(i, t, n, m)
            WHERE p.workspace_id = \(workspaceID) AND p.id = n.i
            """,
            logger: logger
        )
    }

    private func storedTraits(_ profile: GraphBatch.Profile) throws -> String {
        try profile.traits.stored(key: profile.key, workspaceID: workspaceID, profileID: profile.id, sealing: sealing).serialized()
    }

    /// `profiles.identity_counts`: identifiers per type.
    static func storedCounts(_ profile: GraphBatch.Profile) -> String {
        JSONValue.object(profile.counts.mapValues { .number(Double($0)) }).serialized()
    }

    /// Flags profiles that reached the size alarm; later merges into them need allowance.
    private func flag(_ profiles: [UUID], on connection: PostgresConnection) async throws {
        guard !profiles.isEmpty else { return }
        try await connection.query(
            """
            UPDATE profiles SET flags = flags || '{"large": true}' WHERE workspace_id = \(workspaceID) AND id = ANY(\(profiles))
            """,
            logger: logger
        )
        Counter(label: "kinship_identity_large_profiles_total").increment(by: profiles.count)
        logger.warning("profiles reached the size alarm", metadata: ["profiles": "\(profiles)"])
    }
}
