extension Comparison {
    /// Boolean SQL, never NULL, that holds when `value` satisfies the comparison at the writer's `now`: what
    /// `evaluate(_:now:)` answers for the same value.
    func sql(_ value: SQLComparedValue, _ writer: inout SegmentSQLWriter) -> String {
        switch self {
        case .equal(let operand):
            return value.equals(operand, &writer)
        case .notEqual(let operand):
            return "NOT \(value.equals(operand, &writer))"
        case .ordered(let order, let operand):
            return value.ordered(order.sqlOperator, operand, &writer)
        case .oneOf(let operands):
            return "(" + operands.map { value.equals($0, &writer) }.joined(separator: " OR ") + ")"
        case .contains(let operand):
            return value.contains(operand, &writer)
        case .exists(let flag):
            return flag ? value.presence : "NOT \(value.presence)"
        case .between(let low, let high):
            return "(\(value.ordered(">=", low, &writer)) AND \(value.ordered("<=", high, &writer)))"
        case .beforeDaysAgo(let days):
            // `time + days <= now`, written as `time <= now - days` so an indexed time could be probed.
            return "coalesce(\(value.timeExpression) <= \(writer.daysBeforeNow(days)), false)"
        case .withinDays(let days):
            let time = value.timeExpression
            return "coalesce(\(time) > \(writer.daysBeforeNow(days)) AND \(time) <= \(writer.nowBind()), false)"
        }
    }
}

extension Comparison.Order {
    var sqlOperator: String {
        switch self {
        case .greater: ">"
        case .greaterOrEqual: ">="
        case .less: "<"
        case .lessOrEqual: "<="
        }
    }
}
