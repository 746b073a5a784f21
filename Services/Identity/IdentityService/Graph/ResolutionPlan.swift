import KinshipCore
import Foundation

/// What one event does to the graph, decided from the identifiers' current profiles and the rules
/// before anything is written.
struct ResolutionPlan: Sendable {
    /// The profile the event resolves to; nil: a new one.
    var target: UUID?
    /// Profiles folded into the target (oldest kept: the target is the oldest of all involved).
    var merged: [UUID] = []
    /// Identifiers to attach to the target (new to the workspace).
    var attach: [Identifier] = []
    /// Identifiers joined by this event: the edges drawn from the anchor (the anchor first).
    var joined: [Identifier] = []
    /// For each joined identifier but the anchor, the rule that joined it: `attach`, `merge`, `same_profile`.
    var joinedBy: [Identifier: String] = [:]
    /// Identifiers not attached, and why.
    var conflicts: [(Identifier, String)] = []
}

/// A profile involved in an event, as the planner sees it.
struct ProfileSnapshot: Sendable {
    let id: UUID
    let createdAt: Date
    /// Identifiers per type.
    var counts: [String: Int]
    var flaggedLarge: Bool
}

/// The rules applied, in priority order: the strongest identifier anchors the event; each other
/// identifier joins if it is new and its type has room, or merges its profile in if the merged
/// profile would keep every limit (and is not unusually large); otherwise it is a conflict and stays
/// where it is. Keeps the oldest profile id when profiles merge.
enum ResolutionPlanner {
    static func plan(
        _ identifiers: [Identifier], owners: [Identifier: UUID], profiles: [UUID: ProfileSnapshot], rules: IdentityRules
    ) -> ResolutionPlan {
        let ordered = identifiers.enumerated().sorted {
            (rules.rank(of: $0.element.type), $0.offset) < (rules.rank(of: $1.element.type), $1.offset)
        }.map(\.element)
        guard let anchor = ordered.first else { return ResolutionPlan() }
        var plan = ResolutionPlan()
        var target: ProfileSnapshot? = owners[anchor].flatMap { profiles[$0] }
        var pendingCounts: [String: Int] = [:]
        if target == nil {
            plan.attach.append(anchor)
            pendingCounts[anchor.type, default: 0] += 1
        }
        plan.joined.append(anchor)

        func count(_ type: String) -> Int { (target?.counts[type] ?? 0) + pendingCounts[type, default: 0] }

        for identifier in ordered.dropFirst() {
            if let owner = owners[identifier] {
                if owner == target?.id {
                    plan.joined.append(identifier)
                    plan.joinedBy[identifier] = "same_profile"
                    continue
                }
                guard let other = profiles[owner] else { continue }
                if let refusal = mergeRefusal(other, into: target, pending: pendingCounts, rules: rules) {
                    plan.conflicts.append((identifier, refusal))
                    continue
                }
                // Fold the two together; the older id survives.
                if let current = target {
                    var combined = current.createdAt <= other.createdAt ? current : other
                    let absorbed = combined.id == current.id ? other : current
                    for (type, n) in absorbed.counts { combined.counts[type, default: 0] += n }
                    combined.flaggedLarge = combined.flaggedLarge || absorbed.flaggedLarge
                    plan.merged.append(absorbed.id)
                    target = combined
                } else {
                    target = other
                }
                plan.joined.append(identifier)
                plan.joinedBy[identifier] = "merge"
            } else if count(identifier.type) + 1 <= rules.limit(for: identifier.type) {
                plan.attach.append(identifier)
                pendingCounts[identifier.type, default: 0] += 1
                plan.joined.append(identifier)
                plan.joinedBy[identifier] = "attach"
            } else {
                plan.conflicts.append((identifier, "limit: a profile holds at most \(rules.limit(for: identifier.type)) \(identifier.type)"))
            }
        }
        plan.target = target?.id
        plan.merged.removeAll { $0 == plan.target }
        return plan
    }

    private static func mergeRefusal(_ other: ProfileSnapshot, into target: ProfileSnapshot?, pending: [String: Int], rules: IdentityRules) -> String? {
        let base = target?.counts ?? [:]
        let types = Set(base.keys).union(other.counts.keys).union(pending.keys)
        for type in types.sorted() {
            let combined = base[type, default: 0] + other.counts[type, default: 0] + pending[type, default: 0]
            if combined > rules.limit(for: type) {
                return "merge refused: the merged profile would hold \(combined) \(type) (limit \(rules.limit(for: type)))"
            }
        }
        if !rules.allowLargeMerges, other.flaggedLarge || target?.flaggedLarge == true {
            return "merge refused: a profile is flagged as unusually large (size alarm)"
        }
        return nil
    }
}
