import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import Logging
import PostgresNIO

/// What other rules would have made of a workspace's history: the recorded joins (every event's anchor,
/// the identifiers it joined and those it could not) are replayed in memory, in the order they happened,
/// through the same planner events go through, and the groups compared with today's profiles. Nothing is
/// written. Works on blind-index tokens only: no identifier value is opened.
struct RulesDryRun: Sendable {
    let workspaceID: UUID
    let keys: WorkspaceKeys
    let logger: Logger

    /// One event as recorded: its anchor first, then the identifiers it joined or could not attach.
    struct RecordedEvent {
        var order: (Date, Int64)
        var identifiers: [String]
    }

    struct Node {
        let type: String
        let firstSeen: Date
        /// Today's profile; nil for an identifier only ever refused.
        let profile: UUID?
    }

    func run(proposed: IdentityRules, on connection: PostgresConnection) async throws -> RulesDryRunReport {
        let (current, version) = try await RuleStore.current(for: workspaceID, on: connection, logger: logger)
        let nodes = try await loadNodes(on: connection)
        let events = try await loadEvents(on: connection)
        let blocked = blockedNodes(proposed, nodes: nodes)

        let baseline = Self.replay(events, nodes: nodes, rules: current, blocked: [])
        let replayed = Self.replay(events, nodes: nodes, rules: proposed, blocked: blocked)
        let today = nodes.compactMapValues(\.profile)
        let proposedChange = Self.compare(replayed.group, with: today)
        let baselineChange = Self.compare(baseline.group, with: today)
        return RulesDryRunReport(
            currentRuleVersion: version, profiles: Set(today.values).count, identifiers: today.count, eventsReplayed: events.count,
            profilesMerged: proposedChange.merged, profilesSplit: proposedChange.split, profilesAddedBySplits: proposedChange.added,
            identifiersNewlyAttached: proposedChange.attached,
            conflictsUnderCurrentRules: baseline.conflicts, conflictsUnderProposedRules: replayed.conflicts,
            replayMismatches: baselineChange.merged + baselineChange.split
        )
    }

    /// Every identifier: those held by profiles, and those only ever refused.
    private func loadNodes(on connection: PostgresConnection) async throws -> [String: Node] {
        var nodes: [String: Node] = [:]
        for try await (type, token, profile, firstSeen) in try await connection.query(
            """
            SELECT i.type, encode(i.token, 'hex'), coalesce(p.merged_into, p.id), i.first_seen_at FROM identities i
            JOIN profiles p ON p.workspace_id = i.workspace_id AND p.id = i.profile_id
            WHERE i.workspace_id = \(workspaceID)
            """,
            logger: logger
        ).decode((String, String, UUID, Date).self) {
            nodes["\(type)/\(token)"] = Node(type: type, firstSeen: firstSeen, profile: profile)
        }
        for try await (type, token, at) in try await connection.query(
            "SELECT type, encode(token, 'hex'), min(created_at) FROM identity_conflicts WHERE workspace_id = \(workspaceID) GROUP BY 1, 2",
            logger: logger
        ).decode((String, String, Date).self) where nodes["\(type)/\(token)"] == nil {
            nodes["\(type)/\(token)"] = Node(type: type, firstSeen: at, profile: nil)
        }
        return nodes
    }

    /// The events that joined (or tried to join) identifiers, in the order they were resolved.
    private func loadEvents(on connection: PostgresConnection) async throws -> [RecordedEvent] {
        var events: [String: RecordedEvent] = [:]
        func add(_ message: String, at: (Date, Int64), anchor: String, other: String) {
            var event = events[message] ?? RecordedEvent(order: at, identifiers: [anchor])
            if at < event.order { event.order = at }
            if !event.identifiers.contains(other) { event.identifiers.append(other) }
            events[message] = event
        }
        for try await (message, at, id, fromType, fromToken, toType, toToken) in try await connection.query(
            """
            SELECT message_id, created_at, id, from_type, encode(from_token, 'hex'), to_type, encode(to_token, 'hex') FROM identity_edges
            WHERE workspace_id = \(workspaceID) AND removed_at IS NULL ORDER BY id
            """,
            logger: logger
        ).decode((String, Date, Int64, String, String, String, String).self) {
            add(message, at: (at, id), anchor: "\(fromType)/\(fromToken)", other: "\(toType)/\(toToken)")
        }
        // Conflicts after the edges of their event; recorded anchors only (from migration 0005 on).
        for try await (message, at, anchorType, anchorToken, type, token) in try await connection.query(
            """
            SELECT message_id, created_at, anchor_type, encode(anchor_token, 'hex'), type, encode(token, 'hex') FROM identity_conflicts
            WHERE workspace_id = \(workspaceID) AND anchor_type IS NOT NULL ORDER BY id
            """,
            logger: logger
        ).decode((String, Date, String, String, String, String).self) {
            add(message, at: (at, .max), anchor: "\(anchorType)/\(anchorToken)", other: "\(type)/\(token)")
        }
        return events.values.sorted { $0.order < $1.order }
    }

    /// The identifiers the proposed rules' own blocked values would keep out, found by their tokens.
    private func blockedNodes(_ rules: IdentityRules, nodes: [String: Node]) -> Set<String> {
        var blocked = Set<String>()
        for type in Set(nodes.values.map(\.type)) {
            for value in rules.blockedValues {
                guard let canonical = IdentifierNormalization.canonical(type: type, value, defaultRegion: rules.defaultRegion) else { continue }
                blocked.insert("\(type)/\(keys.blindIndex.token(type: type, normalizedValue: canonical).hexString)")
            }
        }
        return blocked
    }

    /// The replay: every identifier starts as its own group (as it was when first seen alone), and each
    /// event runs through the planner. Returns each identifier's group and the conflicts met.
    static func replay(_ events: [RecordedEvent], nodes: [String: Node], rules: IdentityRules, blocked: Set<String>) -> (group: [String: UUID], conflicts: Int) {
        var owner: [String: UUID] = [:]
        var profiles: [UUID: ProfileSnapshot] = [:]
        var members: [UUID: [String]] = [:]
        var merges: [UUID: Int] = [:]
        for (name, node) in nodes where !blocked.contains(name) {
            let id = UUID()
            owner[name] = id
            profiles[id] = ProfileSnapshot(id: id, createdAt: node.firstSeen, counts: [node.type: 1], flaggedLarge: false)
            members[id] = [name]
        }
        var conflicts = 0
        for event in events {
            let identifiers = event.identifiers.filter { owner[$0] != nil }.map { name in
                Identifier(type: String(name[..<name.lastIndex(of: "/")!]), value: name)
            }
            guard identifiers.count > 1 else { continue }
            let owners = Dictionary(uniqueKeysWithValues: identifiers.map { ($0, owner[$0.value]!) })
            let involved = Dictionary(uniqueKeysWithValues: Set(owners.values).map { ($0, profiles[$0]!) })
            let plan = ResolutionPlanner.plan(identifiers, owners: owners, profiles: involved, rules: rules)
            conflicts += plan.conflicts.count
            guard let target = plan.target else { continue }
            for loser in plan.merged {
                guard let absorbed = profiles.removeValue(forKey: loser) else { continue }
                for (type, count) in absorbed.counts { profiles[target]?.counts[type, default: 0] += count }
                for name in members.removeValue(forKey: loser) ?? [] {
                    owner[name] = target
                    members[target, default: []].append(name)
                }
                merges[target, default: 0] += 1 + merges[loser, default: 0]
            }
            // The size alarm, as the graph raises it after each event.
            if let snapshot = profiles[target],
               snapshot.counts.values.reduce(0, +) >= rules.sizeAlarm || merges[target, default: 0] >= rules.sizeAlarm {
                profiles[target]?.flaggedLarge = true
            }
        }
        return (owner, conflicts)
    }

    /// How replayed groups differ from today's profiles.
    static func compare(_ group: [String: UUID], with today: [String: UUID]) -> (merged: Int, split: Int, added: Int, attached: Int) {
        var todayByGroup: [UUID: Set<UUID>] = [:]
        var groupsByToday: [UUID: Set<UUID>] = [:]
        for (name, replayed) in group {
            guard let profile = today[name] else { continue }
            todayByGroup[replayed, default: []].insert(profile)
            groupsByToday[profile, default: []].insert(replayed)
        }
        let merged = todayByGroup.values.reduce(0) { $0 + max($1.count - 1, 0) }
        let splits = groupsByToday.values.filter { $0.count > 1 }
        let attached = group.filter { name, replayed in today[name] == nil && todayByGroup[replayed] != nil }.count
        return (merged, splits.count, splits.reduce(0) { $0 + $1.count - 1 }, attached)
    }
}
