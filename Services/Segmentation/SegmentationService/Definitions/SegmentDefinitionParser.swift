import KinshipCore
import KinshipPrivacy

/// Turns a definition's JSON into a `SegmentCondition`, refusing with a JSON pointer to the first node that is wrong.
struct SegmentDefinitionParser {
    private var nodes = 0
    /// What seals a workspace's profile traits at rest, when a condition that reads a sealed trait other than
    /// by `exists` is refused (`SegmentDefinitionParser+SealedTraits`): always for a definition being saved
    /// or previewed; nil for one read back.
    let traitSealing: PersonalData?

    init(traitSealing: PersonalData?) {
        self.traitSealing = traitSealing
    }

    private static let combinators = ["all", "any", "not"]
    private static let fieldKinds = FieldReference.Source.allCases.map(\.rawValue)
    private static let kinds = combinators + fieldKinds + ["event"]
    private static let eventKeys: Set = ["event", "where", "within_days", "aggregate", "property", "op", "value"]

    mutating func condition(_ json: JSONValue, at pointer: JSONPointer, depth: Int) throws -> SegmentCondition {
        try countNode(at: pointer, depth: depth)
        guard let object = json.objectValue else {
            throw KinshipError.invalidSegmentDefinition(at: pointer, "a condition is a JSON object")
        }
        let present = Self.kinds.filter { object[$0] != nil }
        guard let kind = present.first else {
            throw KinshipError.invalidSegmentDefinition(
                at: pointer, "a condition holds one of \(Self.kinds.map { "`\($0)`" }.joined(separator: ", "))"
            )
        }
        guard present.count == 1 else {
            throw KinshipError.invalidSegmentDefinition(at: pointer, "a condition holds only one of `\(present[0])` and `\(present[1])`")
        }
        switch kind {
        case "all", "any":
            try onlyKeys([kind], of: object, at: pointer)
            guard let items = object[kind]?.arrayValue else {
                throw KinshipError.invalidSegmentDefinition(at: pointer.appending(kind), "`\(kind)` takes an array of conditions")
            }
            guard !items.isEmpty else {
                throw KinshipError.invalidSegmentDefinition(at: pointer.appending(kind), "`\(kind)` takes at least one condition")
            }
            var children: [SegmentCondition] = []
            for (index, item) in items.enumerated() {
                children.append(try condition(item, at: pointer.appending(kind).appending(index), depth: depth + 1))
            }
            return kind == "all" ? .all(children) : .any(children)
        case "not":
            try onlyKeys(["not"], of: object, at: pointer)
            return .not(try condition(object["not"]!, at: pointer.appending("not"), depth: depth + 1))
        case "event":
            return .event(try eventCondition(object, at: pointer, depth: depth))
        default:
            return .field(try fieldCondition(object, source: FieldReference.Source(rawValue: kind)!, at: pointer))
        }
    }

    private mutating func countNode(at pointer: JSONPointer, depth: Int) throws {
        guard depth <= SegmentDefinition.maximumDepth else {
            throw KinshipError.invalidSegmentDefinition(
                at: pointer, "conditions nest at most \(SegmentDefinition.maximumDepth) levels deep"
            )
        }
        nodes += 1
        guard nodes <= SegmentDefinition.maximumNodes else {
            throw KinshipError.invalidSegmentDefinition(
                at: pointer, "a definition holds at most \(SegmentDefinition.maximumNodes) conditions"
            )
        }
    }

    private func onlyKeys(_ allowed: Set<String>, of object: [String: JSONValue], at pointer: JSONPointer) throws {
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw KinshipError.invalidSegmentDefinition(at: pointer.appending(unknown), "unknown key `\(unknown)`")
        }
    }

    private func fieldCondition(
        _ object: [String: JSONValue], source: FieldReference.Source, at pointer: JSONPointer
    ) throws -> FieldCondition {
        let key = source.rawValue
        try onlyKeys([key, "op", "value"], of: object, at: pointer)
        let path: [String]
        if source == .consent {
            guard let name = object[key]?.stringValue, !name.isEmpty else {
                throw KinshipError.invalidSegmentDefinition(at: pointer.appending(key), "`consent` takes a category name")
            }
            path = [name]
        } else {
            path = try Self.path(object[key]!, at: pointer.appending(key))
        }
        let comparison = try Self.comparison(in: object, at: pointer, allowed: source == .consent ? .consent : .anyValue)
        if source == .trait, let traitSealing {
            try Self.refuseSealedTrait(path, comparison, at: pointer, sealing: traitSealing)
        }
        return FieldCondition(field: FieldReference(source: source, path: path), comparison: comparison)
    }

    private mutating func eventCondition(_ object: [String: JSONValue], at pointer: JSONPointer, depth: Int) throws -> EventCondition {
        try onlyKeys(Self.eventKeys, of: object, at: pointer)
        guard let name = object["event"]?.stringValue, !name.isEmpty else {
            throw KinshipError.invalidSegmentDefinition(at: pointer.appending("event"), "`event` takes an event name")
        }

        var filters: [PropertyFilter] = []
        if let whereValue = object["where"] {
            guard let items = whereValue.arrayValue else {
                throw KinshipError.invalidSegmentDefinition(at: pointer.appending("where"), "`where` takes an array of property filters")
            }
            for (index, item) in items.enumerated() {
                filters.append(try propertyFilter(item, at: pointer.appending("where").appending(index), depth: depth + 1))
            }
        }

        var withinDays: Int?
        if let days = object["within_days"] {
            withinDays = try Self.days(days, at: pointer.appending("within_days"))
        }

        let property = try object["property"].map { try Self.path($0, at: pointer.appending("property")) }
        let aggregateName: String?
        if let value = object["aggregate"] {
            guard let text = value.stringValue else {
                throw KinshipError.invalidSegmentDefinition(at: pointer.appending("aggregate"), "`aggregate` is one of count, sum, avg, first, last")
            }
            aggregateName = text
        } else {
            aggregateName = nil
        }
        let aggregate: EventAggregate
        switch aggregateName {
        case nil, "count":
            if property != nil {
                throw KinshipError.invalidSegmentDefinition(at: pointer.appending("property"), "`count` takes no `property`")
            }
            aggregate = .count
        case "sum", "avg":
            guard let property else {
                throw KinshipError.invalidSegmentDefinition(at: pointer.appending("aggregate"), "`\(aggregateName!)` needs a `property`")
            }
            aggregate = aggregateName == "sum" ? .sum(property: property) : .average(property: property)
        case "first":
            aggregate = .first(property: property)
        case "last":
            aggregate = .last(property: property)
        default:
            throw KinshipError.invalidSegmentDefinition(
                at: pointer.appending("aggregate"), "unknown aggregate `\(aggregateName!)`; one of count, sum, avg, first, last"
            )
        }

        let comparison: Comparison
        if object["op"] == nil, object["value"] == nil, object["aggregate"] == nil {
            comparison = .ordered(.greaterOrEqual, .number(1))
        } else {
            let allowed: AllowedOperands = switch aggregate {
            case .count, .sum, .average: .number
            case .first(nil), .last(nil): .time
            case .first, .last: .anyValue
            }
            comparison = try Self.comparison(in: object, at: pointer, allowed: allowed)
        }
        return EventCondition(eventName: name, filters: filters, withinDays: withinDays, aggregate: aggregate, comparison: comparison)
    }

    private mutating func propertyFilter(_ json: JSONValue, at pointer: JSONPointer, depth: Int) throws -> PropertyFilter {
        try countNode(at: pointer, depth: depth)
        guard let object = json.objectValue else {
            throw KinshipError.invalidSegmentDefinition(at: pointer, "a property filter is a JSON object")
        }
        try onlyKeys(["property", "op", "value"], of: object, at: pointer)
        guard let property = object["property"] else {
            throw KinshipError.invalidSegmentDefinition(at: pointer, "a property filter needs `property`")
        }
        let path = try Self.path(property, at: pointer.appending("property"))
        return PropertyFilter(path: path, comparison: try Self.comparison(in: object, at: pointer, allowed: .eventProperty))
    }

    /// A dotted path: non-empty components separated by single dots.
    static func path(_ json: JSONValue, at pointer: JSONPointer) throws -> [String] {
        guard let text = json.stringValue else {
            throw KinshipError.invalidSegmentDefinition(at: pointer, "a name is a string")
        }
        let components = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !components.contains(where: \.isEmpty) else {
            throw KinshipError.invalidSegmentDefinition(at: pointer, "`\(text)` is not a name or a dotted path (`address.state`)")
        }
        return components
    }

    /// A whole number of days from 1 to `maximumDays`.
    static func days(_ json: JSONValue, at pointer: JSONPointer) throws -> Int {
        guard let number = json.numberValue, number.rounded() == number,
              number >= 1, number <= Double(SegmentDefinition.maximumDays)
        else {
            throw KinshipError.invalidSegmentDefinition(
                at: pointer, "days are a whole number from 1 to \(SegmentDefinition.maximumDays)"
            )
        }
        return Int(number)
    }
}
