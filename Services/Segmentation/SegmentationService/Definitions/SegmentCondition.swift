import KinshipCore

/// One node of a segment definition's condition tree, as parsed and validated by `SegmentDefinition`.
///
/// The tree is plain data so that each evaluator (in memory, and `SegmentSQL`) can walk it with one `switch`.
public indirect enum SegmentCondition: Sendable, Hashable {
    /// True when every child is (`{"all": [...]}`).
    case all([SegmentCondition])
    /// True when at least one child is (`{"any": [...]}`).
    case any([SegmentCondition])
    /// The negation of its child (`{"not": {...}}`).
    case not(SegmentCondition)
    /// A comparison on a trait, a computed trait or a consent category.
    case field(FieldCondition)
    /// An aggregate over a profile's events, compared to a value.
    case event(EventCondition)
}

/// A comparison on one profile value: `{"trait": "address.state", "op": "eq", "value": "Bangkok"}`.
public struct FieldCondition: Sendable, Hashable {
    public let field: FieldReference
    public let comparison: Comparison

    public init(field: FieldReference, comparison: Comparison) {
        self.field = field
        self.comparison = comparison
    }
}

/// Which profile value a field condition reads.
public struct FieldReference: Sendable, Hashable {
    public enum Source: String, Sendable, Hashable, CaseIterable {
        case trait
        case computed
        case consent
    }

    public let source: Source
    /// The name split on dots: `address.state` is `["address", "state"]`; a consent category is one component.
    public let path: [String]

    public init(source: Source, path: [String]) {
        self.source = source
        self.path = path
    }

    /// The name as written in the definition.
    public var name: String { path.joined(separator: ".") }
}

/// A condition on a profile's events: which events count, how they are aggregated, and what the result is compared to.
///
/// `{"event": "Order Completed"}` alone means "at least one such event": `aggregate` `count`, `gte` 1.
public struct EventCondition: Sendable, Hashable {
    public let eventName: String
    /// Filters on the event's properties; an event counts when every filter holds.
    public let filters: [PropertyFilter]
    /// Only events of the last `withinDays` days count; all of them when nil.
    public let withinDays: Int?
    public let aggregate: EventAggregate
    public let comparison: Comparison

    public init(eventName: String, filters: [PropertyFilter], withinDays: Int?, aggregate: EventAggregate, comparison: Comparison) {
        self.eventName = eventName
        self.filters = filters
        self.withinDays = withinDays
        self.aggregate = aggregate
        self.comparison = comparison
    }
}

/// How an event condition turns the matching events into one value.
public enum EventAggregate: Sendable, Hashable {
    /// How many events match.
    case count
    /// The sum of a numeric property over the matching events (0 when none); non-numbers are skipped.
    case sum(property: [String])
    /// The mean of a numeric property over the matching events; missing when none has a number there.
    case average(property: [String])
    /// The earliest matching event's time, or its property's value when a property is named.
    case first(property: [String]?)
    /// The latest matching event's time, or its property's value when a property is named.
    case last(property: [String]?)
}

/// One `where` entry of an event condition: `{"property": "category", "op": "eq", "value": "Beauty"}`.
public struct PropertyFilter: Sendable, Hashable {
    /// The property's path into the event's properties, split on dots.
    public let path: [String]
    public let comparison: Comparison

    public init(path: [String], comparison: Comparison) {
        self.path = path
        self.comparison = comparison
    }
}
