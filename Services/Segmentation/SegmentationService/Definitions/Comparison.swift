import KinshipCore

/// An operator with its validated operand: what a value is compared to.
///
/// Operands are JSON scalars (string, number or boolean); strings that are ISO-8601 timestamps on both sides
/// are compared as times, other strings as text (by UTF-8 bytes).
public enum Comparison: Sendable, Hashable {
    /// `eq`: equal to the operand.
    case equal(JSONValue)
    /// `neq`: not equal to the operand; true on a missing value.
    case notEqual(JSONValue)
    /// `gt`, `gte`, `lt`, `lte`: ordered against a number or a string.
    case ordered(Order, JSONValue)
    /// `in`: equal to one of the operands.
    case oneOf([JSONValue])
    /// `contains`: a string containing the operand (a string), or an array holding an element equal to it.
    case contains(JSONValue)
    /// `exists`: present and not null (`true`), or missing or null (`false`).
    case exists(Bool)
    /// `between`: from `low` to `high`, both included.
    case between(low: JSONValue, high: JSONValue)
    /// `before_days_ago`: a timestamp at least this many days before now.
    case beforeDaysAgo(Int)
    /// `within_days`: a timestamp in the last this many days: after now minus the days, and not after now.
    case withinDays(Int)

    public enum Order: String, Sendable, Hashable {
        case greater = "gt"
        case greaterOrEqual = "gte"
        case less = "lt"
        case lessOrEqual = "lte"
    }

    /// The operator's name in a definition.
    public var operatorName: String {
        switch self {
        case .equal: "eq"
        case .notEqual: "neq"
        case .ordered(let order, _): order.rawValue
        case .oneOf: "in"
        case .contains: "contains"
        case .exists: "exists"
        case .between: "between"
        case .beforeDaysAgo: "before_days_ago"
        case .withinDays: "within_days"
        }
    }

    /// Every operator's name, in the order the docs list them.
    public static let operatorNames = [
        "eq", "neq", "gt", "gte", "lt", "lte", "in", "contains", "exists", "between", "before_days_ago", "within_days",
    ]
}
