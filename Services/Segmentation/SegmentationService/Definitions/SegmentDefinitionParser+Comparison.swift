import KinshipCore

extension SegmentDefinitionParser {
    /// What a comparison's operand may be, by what it compares.
    enum AllowedOperands {
        /// Traits, computed traits, event properties named by `first`/`last`: every operator.
        case anyValue
        /// An event's properties in `where`: every operator but the ones relative to now, since the
        /// condition's `within_days` is what bounds events in time.
        case eventProperty
        /// Consent categories: `eq`, `neq` with a boolean, `exists`.
        case consent
        /// `count`, `sum`, `avg`: numbers.
        case number
        /// `first`, `last` without a property (the event's time): timestamps and day counts.
        case time

        var operators: [String] {
            switch self {
            case .anyValue: Comparison.operatorNames
            case .eventProperty: Comparison.operatorNames.filter { $0 != "before_days_ago" && $0 != "within_days" }
            case .consent: ["eq", "neq", "exists"]
            case .number: ["eq", "neq", "gt", "gte", "lt", "lte", "in", "exists", "between"]
            case .time: ["eq", "neq", "gt", "gte", "lt", "lte", "exists", "between", "before_days_ago", "within_days"]
            }
        }

        var operandDescription: String {
            switch self {
            case .anyValue, .eventProperty: "a string, a number or a boolean"
            case .consent: "a boolean"
            case .number: "a number"
            case .time: "an ISO-8601 timestamp"
            }
        }

        /// What `gt`, `between` and the like take: no booleans.
        var orderedDescription: String {
            switch self {
            case .anyValue, .eventProperty: "a string or a number"
            default: operandDescription
            }
        }

        func accepts(_ value: JSONValue) -> Bool {
            switch (self, value) {
            case (.anyValue, .string), (.anyValue, .number), (.anyValue, .bool): true
            case (.eventProperty, .string), (.eventProperty, .number), (.eventProperty, .bool): true
            case (.consent, .bool): true
            case (.number, .number): true
            case (.time, .string(let text)): Timestamp.parse(text) != nil
            default: false
            }
        }

        /// Whether the operand can be ordered (`gt`, `between`): numbers and strings, not booleans.
        func acceptsOrdered(_ value: JSONValue) -> Bool {
            if case .bool = value { return false }
            return accepts(value)
        }
    }

    /// The `op` and `value` of a comparison node, checked against each other.
    static func comparison(in object: [String: JSONValue], at pointer: JSONPointer, allowed: AllowedOperands) throws -> Comparison {
        guard let opValue = object["op"] else {
            throw KinshipError.invalidSegmentDefinition(at: pointer, "a comparison needs `op`")
        }
        let opPointer = pointer.appending("op")
        guard let op = opValue.stringValue else {
            throw KinshipError.invalidSegmentDefinition(at: opPointer, "`op` is a string")
        }
        guard Comparison.operatorNames.contains(op) else {
            throw KinshipError.invalidSegmentDefinition(
                at: opPointer, "unknown operator `\(op)`; one of \(allowed.operators.joined(separator: ", "))"
            )
        }
        guard allowed.operators.contains(op) else {
            throw KinshipError.invalidSegmentDefinition(
                at: opPointer, "`\(op)` does not apply here; one of \(allowed.operators.joined(separator: ", "))"
            )
        }
        guard let value = object["value"] else {
            throw KinshipError.invalidSegmentDefinition(at: pointer, "a comparison needs `value`")
        }
        let valuePointer = pointer.appending("value")
        func refuse(_ reason: String) -> KinshipError {
            KinshipError.invalidSegmentDefinition(at: valuePointer, "`\(op)` takes \(reason)")
        }

        switch op {
        case "eq", "neq":
            guard allowed.accepts(value) else { throw refuse(allowed.operandDescription) }
            return op == "eq" ? .equal(value) : .notEqual(value)
        case "gt", "gte", "lt", "lte":
            guard allowed.acceptsOrdered(value) else { throw refuse(allowed.orderedDescription) }
            return .ordered(Comparison.Order(rawValue: op)!, value)
        case "in":
            guard let items = value.arrayValue, !items.isEmpty else {
                throw refuse("a non-empty array of values")
            }
            for (index, item) in items.enumerated() where !allowed.accepts(item) {
                throw KinshipError.invalidSegmentDefinition(
                    at: valuePointer.appending(index), "each element of `in` is \(allowed.operandDescription)"
                )
            }
            return .oneOf(items)
        case "contains":
            guard allowed.accepts(value) else { throw refuse(allowed.operandDescription) }
            return .contains(value)
        case "exists":
            guard case .bool(let flag) = value else { throw refuse("`true` or `false`") }
            return .exists(flag)
        case "between":
            guard let bounds = value.arrayValue, bounds.count == 2,
                  allowed.acceptsOrdered(bounds[0]), allowed.acceptsOrdered(bounds[1])
            else {
                throw refuse("an array of two bounds, [low, high], each \(allowed.orderedDescription)")
            }
            guard let order = ValueOrder.compare(bounds[0], bounds[1]) else {
                throw refuse("two bounds of one kind: two numbers or two strings")
            }
            guard order != .greater else { throw refuse("[low, high] with low not above high") }
            return .between(low: bounds[0], high: bounds[1])
        case "before_days_ago":
            return .beforeDaysAgo(try days(value, at: valuePointer))
        default:
            return .withinDays(try days(value, at: valuePointer))
        }
    }
}
