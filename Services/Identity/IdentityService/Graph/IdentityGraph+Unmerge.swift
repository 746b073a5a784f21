import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import Metrics
import PostgresNIO

/// What an operator takes out of a profile.
enum UnmergeTarget: Sendable {
    /// One identifier (as an event would carry it; normalised the same way): all its edges go.
    case identifier(type: String, value: String)
    /// The edges one event drew.
    case event(messageID: String)
}

extension IdentityGraph {
    /// Removes an identifier's edges (or one event's) from a profile and recomputes its groups from the
    /// edges that remain: where the graph splits, each part but the one holding the strongest identifier
    /// becomes a new profile, events follow their strongest identifier, and each part's traits are
    /// replayed from its own events. Runs in the caller's transaction.
    func unmerge(_ requested: UUID, _ target: UnmergeTarget, requestedBy: String, on connection: PostgresConnection) async throws -> UnmergeOutcome {
        let profile = try await lockForUnmerge(requested, on: connection)
        let members = try await self.members(of: profile, on: connection)
        let removed = try await removeEdges(target, of: profile, members: members, requestedBy: requestedBy, on: connection)

        var groups = ConnectedGroups(members.map(nodeName))
        for (from, to) in try await activeEdges(of: profile, on: connection) { groups.join(from, to) }
        let byName = Dictionary(members.map { (nodeName($0), $0) }, uniquingKeysWith: { first, _ in first })
        // The part holding the strongest identifier (then the oldest) keeps the profile id.
        let parts = groups.groups()
            .map { names in names.compactMap { byName[$0] } }
            .sorted { strength(of: $0) < strength(of: $1) }
        let events = try await StoredEvent.all(of: profile, workspaceID: workspaceID, keys: keys, on: connection, logger: logger)
        guard parts.count > 1 else {
            return UnmergeOutcome(
                profileId: profile.lowercased, removedEdges: removed,
                parts: [.init(profileId: profile.lowercased, created: false, identifiers: members.count, events: events.count)]
            )
        }

        let profileKey = try await self.profileKey(profile, on: connection)
        var partProfiles: [(id: UUID, key: DataKey)] = [(profile, profileKey)]
        for part in parts.dropFirst() {
            let (id, key) = try await createProfile(on: connection)
            try await move(part.map { Move(member: $0, from: profileKey, to: id, key: key) }, on: connection)
            partProfiles.append((id, key))
        }
        try await recountIdentities(of: partProfiles.map(\.id), on: connection)
        let partOfNode = Dictionary(uniqueKeysWithValues: parts.enumerated().flatMap { index, part in part.map { (nodeName($0), index) } })
        var eventsOfPart = Array(repeating: [StoredEvent](), count: parts.count)
        for event in events { eventsOfPart[part(of: event, partOfNode: partOfNode)].append(event) }
        try await repoint(eventsOfPart, to: partProfiles.map(\.id), on: connection)

        let before = try await loadTraits(profile, key: profileKey, on: connection)
        var changes: [OutboxDraft] = []
        func announce(_ change: ProfileChange) throws {
            changes.append(try OutboxDraft(topic: .profiles, workspaceID: workspaceID, key: change.profileId, payload: change))
        }
        let newIDs = partProfiles.dropFirst().map(\.id.lowercased)
        try announce(ProfileChange(kind: .split, profileId: profile.lowercased, splitProfileIds: newIDs))
        for (index, (id, key)) in partProfiles.enumerated() {
            var traits = ProfileTraits()
            for event in eventsOfPart[index].sorted(by: { $0.eventTime < $1.eventTime }) {
                _ = traits.apply(event.traits, at: event.eventTime, source: event.sourceID.lowercased)
            }
            try await saveTraits(traits, of: id, key: key, on: connection)
            if index > 0 { try announce(ProfileChange(kind: .created, profileId: id.lowercased)) }
            // A new part's traits are all news; the kept part says which of its traits the split changed.
            let changed = index > 0 ? Set(traits.values.keys) : Set(traits.values.keys).union(before.values.keys).filter { traits.values[$0] != before.values[$0] }
            try announce(ProfileChange(kind: .updated, profileId: id.lowercased, changedTraits: changed.sorted()))
        }
        try await connection.query(
            """
            INSERT INTO profile_splits (workspace_id, profile_id, new_profiles, reason, requested_by)
            VALUES (\(workspaceID), \(profile), \(Array(partProfiles.dropFirst().map(\.id))), \(target.reason), \(requestedBy))
            """,
            logger: logger
        )
        try await Outbox.append(changes, on: connection, logger: logger)
        Counter(label: "kinship_identity_splits_total").increment()
        logger.info("profile split", metadata: ["profile": "\(profile)", "parts": "\(parts.count)", "requested_by": "\(requestedBy)"])
        return UnmergeOutcome(
            profileId: profile.lowercased, removedEdges: removed,
            parts: parts.indices.map {
                .init(profileId: partProfiles[$0].id.lowercased, created: $0 > 0, identifiers: parts[$0].count, events: eventsOfPart[$0].count)
            }
        )
    }

    private func nodeName(_ member: Member) -> String { "\(member.type)/\(member.token)" }

    /// Lower is stronger: the best rank of a part's identifiers, then its oldest sighting.
    private func strength(of part: [Member]) -> (Int, Date) {
        (part.map { rules.rank(of: $0.type) }.min() ?? .max, part.map(\.firstSeenAt).min() ?? .distantFuture)
    }

    /// The live profile behind `requested` (following merges), with its identifiers' locks (in the global
    /// order events take them) and then its row lock, so no event changes it meanwhile.
    private func lockForUnmerge(_ requested: UUID, on connection: PostgresConnection) async throws -> UUID {
        var profile: UUID?
        for try await id in try await connection.query(
            "SELECT coalesce(merged_into, id) FROM profiles WHERE workspace_id = \(workspaceID) AND id = \(requested)", logger: logger
        ).decode(UUID.self) {
            profile = id
        }
        guard let profile else { throw KinshipError.notFound("No such profile.") }
        var locked = Set<String>()
        // An event may attach an identifier between reading and locking: lock until nothing new appears.
        while true {
            let unlocked = try await members(of: profile, on: connection).filter { !locked.contains(nodeName($0)) }
            if unlocked.isEmpty { break }
            try await lockIdentifiers(unlocked.map { ($0.type, $0.token) }, on: connection)
            locked.formUnion(unlocked.map(nodeName))
        }
        try await connection.query(
            "SELECT 1 FROM profiles WHERE workspace_id = \(workspaceID) AND id = \(profile) FOR UPDATE", logger: logger
        )
        return profile
    }

    /// Marks the target's edges removed (kept as history); returns how many.
    private func removeEdges(_ target: UnmergeTarget, of profile: UUID, members: [Member], requestedBy: String, on connection: PostgresConnection) async throws -> Int {
        let reason = "unmerge by \(requestedBy): \(target.reason)"
        switch target {
        case .identifier(let type, let value):
            guard let identifier = IdentifierNormalization.normalise(type: type, value, rules: rules),
                  members.contains(where: { $0.type == identifier.type && $0.token == token(identifier) })
            else {
                throw KinshipError(code: .identifierNotInProfile, status: .conflict, message: "The profile holds no such \(type).")
            }
            guard members.count > 1 else {
                throw KinshipError(code: .nothingToUnmerge, status: .conflict, message: "The identifier is the profile's only one.")
            }
            let removed = try await connection.query(
                """
                UPDATE identity_edges SET removed_at = now(), removed_reason = \(reason)
                WHERE workspace_id = \(workspaceID) AND removed_at IS NULL
                  AND ((from_type = \(identifier.type) AND from_token = decode(\(token(identifier)), 'hex'))
                    OR (to_type = \(identifier.type) AND to_token = decode(\(token(identifier)), 'hex')))
                RETURNING 1
                """,
                logger: logger
            ).decode(Int.self).reduce(0) { count, _ in count + 1 }
            return removed
        case .event(let messageID):
            let removed = try await connection.query(
                """
                UPDATE identity_edges e SET removed_at = now(), removed_reason = \(reason)
                FROM identities i
                WHERE e.workspace_id = \(workspaceID) AND e.message_id = \(messageID) AND e.removed_at IS NULL
                  AND i.workspace_id = e.workspace_id AND i.type = e.from_type AND i.token = e.from_token AND i.profile_id = \(profile)
                RETURNING 1
                """,
                logger: logger
            ).decode(Int.self).reduce(0) { count, _ in count + 1 }
            guard removed > 0 else {
                throw KinshipError(code: .nothingToUnmerge, status: .conflict, message: "That event joined no identifiers of this profile.")
            }
            return removed
        }
    }

    /// The edges still standing between the profile's identifiers, as node names.
    private func activeEdges(of profile: UUID, on connection: PostgresConnection) async throws -> [(String, String)] {
        var edges: [(String, String)] = []
        for try await (fromType, fromToken, toType, toToken) in try await connection.query(
            """
            SELECT e.from_type, encode(e.from_token, 'hex'), e.to_type, encode(e.to_token, 'hex') FROM identity_edges e
            JOIN identities i ON i.workspace_id = e.workspace_id AND i.type = e.from_type AND i.token = e.from_token
            WHERE e.workspace_id = \(workspaceID) AND e.removed_at IS NULL AND i.profile_id = \(profile)
            """,
            logger: logger
        ).decode((String, String, String, String).self) {
            edges.append(("\(fromType)/\(fromToken)", "\(toType)/\(toToken)"))
        }
        return edges
    }

    /// The part an event belongs to: the one holding its strongest identifier (the first part when none).
    private func part(of event: StoredEvent, partOfNode: [String: Int]) -> Int {
        var (identifiers, previousID) = Identifier.of(event.message, rules: rules)
        if let previousID {
            identifiers += [Identifier(type: Identifier.userID, value: previousID), Identifier(type: Identifier.anonymousID, value: previousID)]
        }
        let strongest = identifiers
            .compactMap { identifier in partOfNode["\(identifier.type)/\(token(identifier))"].map { (rules.rank(of: identifier.type), $0) } }
            .min { $0.0 < $1.0 }
        return strongest?.1 ?? 0
    }

    /// Points each part's events at its profile (the first part's already are).
    private func repoint(_ eventsOfPart: [[StoredEvent]], to profiles: [UUID], on connection: PostgresConnection) async throws {
        var receivedAt: [String] = [], messageIDs: [String] = [], targets: [UUID] = []
        for (index, events) in eventsOfPart.enumerated() where index > 0 {
            for event in events {
                receivedAt.append(event.receivedAt)
                messageIDs.append(event.messageId)
                targets.append(profiles[index])
            }
        }
        guard !targets.isEmpty else { return }
        try await connection.query(
            """
            UPDATE event_profiles e SET profile_id = n.p
            FROM unnest(\(receivedAt)::timestamptz[], \(messageIDs)::text[], \(targets)::uuid[]) AS n(r, m, p)
            WHERE e.workspace_id = \(workspaceID) AND e.received_at = n.r AND e.message_id = n.m
            """,
            logger: logger
        )
    }
}

extension UnmergeTarget {
    /// Why edges were removed, as recorded (never an identifier's value).
    var reason: String {
        switch self {
        case .identifier(let type, _): "identifier \(type) removed"
        case .event(let messageID): "edges of event \(messageID) removed"
        }
    }
}
