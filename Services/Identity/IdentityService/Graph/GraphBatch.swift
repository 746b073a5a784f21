import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy

/// A batch of events resolved in memory, one after the other, against the profiles their identifiers
/// own (read and locked before): each event sees what the events before it did, exactly as if they had
/// been written one at a time, and what they did is written afterwards in a few statements.
struct GraphBatch {
    /// A profile as the batch knows it: read from the database, or made by an event of the batch.
    struct Profile {
        let id: UUID
        let createdAt: Date
        let key: DataKey
        let isNew: Bool
        var counts: [String: Int]
        /// Profiles merged into this one (the size alarm counts them).
        var merges: Int
        var flagged: Bool
        var newlyFlagged = false
        var traits: ProfileTraits
        var traitsChanged = false
        /// Its identifier counts or merges changed (they are stored on the profile).
        var countsChanged = false

        var snapshot: ProfileSnapshot { ProfileSnapshot(id: id, createdAt: createdAt, counts: counts, flaggedLarge: flagged) }
    }

    struct Attachment {
        let identifier: Identifier
        let token: String
        let profile: UUID
    }

    struct Edge {
        let from: Identifier
        let to: Identifier
        /// `attach`, `merge` or `same_profile` (`ResolutionPlan.joinedBy`).
        let rule: String
        let event: StoredEvent
    }

    struct Conflict {
        let identifier: Identifier
        let anchor: Identifier
        let reason: String
        let profile: UUID
        let event: StoredEvent
    }

    struct Merge {
        let into: UUID
        let from: UUID
        let messageID: String
    }

    let rules: IdentityRules
    let token: (Identifier) -> String
    let newKey: () -> DataKey
    let source: (StoredEvent) -> String

    /// Live profiles.
    private(set) var profiles: [UUID: Profile] = [:]
    /// Profiles made by events of this batch, as they ended it (live or merged away).
    var createdAtEnd: [Profile] { created.map { profiles[$0.id] ?? retired[$0.id] ?? $0 } }
    /// Profiles made by events of this batch (some may be merged away since).
    private(set) var created: [Profile] = []
    /// Profiles merged away in this batch (as they were then), and where to.
    private(set) var retired: [UUID: Profile] = [:]
    private(set) var mergedInto: [UUID: UUID] = [:]
    /// "type/token" → owning profile (possibly merged away since: follow `live`).
    private var owners: [String: UUID] = [:]

    private(set) var attachments: [Attachment] = []
    private(set) var touched: [String: Identifier] = [:]
    private(set) var edges: [Edge] = []
    private(set) var conflicts: [Conflict] = []
    private(set) var merges: [Merge] = []
    /// Each event and the profile it resolved to (at its time; follow `live` for the final one).
    private(set) var resolved: [(event: StoredEvent, profile: UUID)] = []
    private(set) var changes: [ProfileChange] = []

    init(
        rules: IdentityRules, profiles: [Profile], owners: [String: UUID], token: @escaping (Identifier) -> String,
        newKey: @escaping () -> DataKey = { DataKey.generate() }, source: @escaping (StoredEvent) -> String
    ) {
        self.rules = rules
        self.token = token
        self.newKey = newKey
        self.source = source
        self.profiles = Dictionary(uniqueKeysWithValues: profiles.map { ($0.id, $0) })
        self.owners = owners
    }

    /// The profile `id` ended up in after this batch's merges.
    func live(_ id: UUID) -> UUID {
        var current = id
        while let next = mergedInto[current] { current = next }
        return current
    }

    private func owner(_ identifier: Identifier) -> UUID? {
        owners[name(identifier)].map(live)
    }

    private func name(_ identifier: Identifier) -> String { "\(identifier.type)/\(token(identifier))" }

    /// An alias's `previousId` is the user id it names when one exists, else an anonymous id.
    func previousIdentifier(_ value: String) -> Identifier {
        let asUser = Identifier(type: Identifier.userID, value: value)
        return owners[name(asUser)] != nil ? asUser : Identifier(type: Identifier.anonymousID, value: value)
    }

    /// Resolves one event: plans it with the rules, then applies the plan to the batch's state.
    mutating func resolve(_ event: StoredEvent, identifiers: [Identifier]) {
        guard !identifiers.isEmpty else { return }
        var owners: [Identifier: UUID] = [:]
        for identifier in identifiers { owners[identifier] = owner(identifier) }
        let snapshots = Dictionary(uniqueKeysWithValues: Set(owners.values).compactMap { id in profiles[id].map { (id, $0.snapshot) } })
        let plan = ResolutionPlanner.plan(identifiers, owners: owners, profiles: snapshots, rules: rules)

        var created = false
        let target: UUID
        if let existing = plan.target {
            target = existing
        } else {
            target = UUID()
            let profile = Profile(id: target, createdAt: Date(), key: newKey(), isNew: true, counts: [:], merges: 0, flagged: false, traits: ProfileTraits())
            profiles[target] = profile
            self.created.append(profile)
            created = true
        }
        var changed: [String] = []
        for loser in plan.merged {
            guard let absorbed = profiles.removeValue(forKey: loser) else { continue }
            retired[loser] = absorbed
            mergedInto[loser] = target
            profiles[target]!.merges += 1
            profiles[target]!.countsChanged = true
            for (type, count) in absorbed.counts { profiles[target]!.counts[type, default: 0] += count }
            profiles[target]!.flagged = profiles[target]!.flagged || absorbed.flagged
            changed += profiles[target]!.traits.absorb(absorbed.traits)
            merges.append(Merge(into: target, from: loser, messageID: event.messageId))
        }
        for identifier in plan.attach {
            let token = token(identifier)
            self.owners["\(identifier.type)/\(token)"] = target
            attachments.append(Attachment(identifier: identifier, token: token, profile: target))
            profiles[target]!.counts[identifier.type, default: 0] += 1
            profiles[target]!.countsChanged = true
        }
        for identifier in plan.joined where !plan.attach.contains(identifier) { touched[name(identifier)] = identifier }
        if let anchor = plan.joined.first {
            for other in plan.joined.dropFirst() { edges.append(Edge(from: anchor, to: other, rule: plan.joinedBy[other] ?? "attach", event: event)) }
            for (identifier, reason) in plan.conflicts {
                conflicts.append(Conflict(identifier: identifier, anchor: anchor, reason: reason, profile: target, event: event))
            }
        }
        changed += profiles[target]!.traits.apply(event.traits, at: event.eventTime, source: source(event))
        changed = Array(Set(changed)).sorted()
        // Saved even when no value changed: a newer event's time and source replace the older ones.
        if !event.traits.isEmpty || !plan.merged.isEmpty { profiles[target]!.traitsChanged = true }
        let profile = profiles[target]!
        if !profile.flagged, profile.counts.values.reduce(0, +) >= rules.sizeAlarm || profile.merges >= rules.sizeAlarm {
            profiles[target]!.flagged = true
            profiles[target]!.newlyFlagged = true
        }
        resolved.append((event, target))

        let key = target.lowercased
        if created { changes.append(ProfileChange(kind: .created, profileId: key, messageId: event.messageId)) }
        for loser in plan.merged {
            changes.append(ProfileChange(kind: .merged, profileId: key, messageId: event.messageId, mergedProfileId: loser.lowercased))
        }
        if !changed.isEmpty || !plan.attach.isEmpty || !plan.merged.isEmpty {
            changes.append(ProfileChange(kind: .updated, profileId: key, messageId: event.messageId, changedTraits: changed))
        }
    }
}
