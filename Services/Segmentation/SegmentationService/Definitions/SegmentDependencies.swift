/// What a definition reads, for the index from a changed field to the segments to re-evaluate.
///
/// Traits and computed traits are listed by their top-level name (`address` for `address.state`), as a
/// profile's values change a top-level name at a time.
public struct SegmentDependencies: Sendable, Hashable {
    public var traits: Set<String> = []
    public var computed: Set<String> = []
    public var consent: Set<String> = []
    public var events: Set<String> = []

    public init(traits: Set<String> = [], computed: Set<String> = [], consent: Set<String> = [], events: Set<String> = []) {
        self.traits = traits
        self.computed = computed
        self.consent = consent
        self.events = events
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
        case .event(let condition):
            dependencies.events.insert(condition.eventName)
        }
    }
}
