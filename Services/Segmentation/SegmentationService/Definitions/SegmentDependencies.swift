/// What a definition reads, for the index from a changed field to the segments to re-evaluate.
///
/// Traits and computed traits are listed by their top-level name (`address` for `address.state`), as a
/// profile's values change a top-level name at a time.
public struct SegmentDependencies: Sendable, Hashable {
    public var traits: Set<String> = []
    public var computed: Set<String> = []
    public var consent: Set<String> = []
    public var events: Set<String> = []
    /// Whether time alone can change the answer: an event window, `within_days` or `before_days_ago`
    /// against now. (Filters on an event's properties compare against the event's own time, not now.)
    public var readsTime = false

    public init(
        traits: Set<String> = [], computed: Set<String> = [], consent: Set<String> = [], events: Set<String> = [], readsTime: Bool = false
    ) {
        self.traits = traits
        self.computed = computed
        self.consent = consent
        self.events = events
        self.readsTime = readsTime
    }

    /// Whether it reads RFM scores, which the scheduled RFM scoring changes outside any evaluation.
    public var readsRFM: Bool { computed.contains { $0.hasPrefix("rfm_") } }

    /// Whether a segment reading this must be evaluated again after `changes`; otherwise its answer and
    /// when time next changes it are what the last evaluation found.
    func isAffected(by changes: ProfileChanges) -> Bool {
        if changes.cameDue, readsTime || readsRFM { return true }
        return !traits.isDisjoint(with: changes.traits) || !computed.isDisjoint(with: changes.computed)
            || !consent.isDisjoint(with: changes.consent) || !events.isDisjoint(with: changes.events)
    }
}

extension SegmentDefinition {
    /// The traits, computed traits, consent categories and event names the definition reads.
    public var dependencies: SegmentDependencies {
        var dependencies = SegmentDependencies()
        root.collectDependencies(into: &dependencies)
        return dependencies
    }
}

extension SegmentCondition {
    func collectDependencies(into dependencies: inout SegmentDependencies) {
        switch self {
        case .all(let children), .any(let children):
            for child in children { child.collectDependencies(into: &dependencies) }
        case .not(let child):
            child.collectDependencies(into: &dependencies)
        case .field(let condition):
            let name = condition.field.path[0]
            switch condition.field.source {
            case .trait: dependencies.traits.insert(name)
            case .computed: dependencies.computed.insert(name)
            case .consent: dependencies.consent.insert(name)
            }
            if condition.comparison.isRelativeToNow { dependencies.readsTime = true }
        case .event(let condition):
            dependencies.events.insert(condition.eventName)
            if condition.withinDays != nil || condition.comparison.isRelativeToNow { dependencies.readsTime = true }
        }
    }
}

extension Comparison {
    /// Whether the comparison is against now, so that its answer changes as time passes.
    var isRelativeToNow: Bool {
        switch self {
        case .beforeDaysAgo, .withinDays: true
        case .equal, .notEqual, .ordered, .oneOf, .contains, .exists, .between: false
        }
    }
}
