import Foundation
import KinshipCore

/// A value a comparison reads: a JSON value from the profile or an event, or an event's time.
enum ComparedValue {
    case json(JSONValue)
    case time(Date)

    /// The value as a time: an event's time, or a string that is an ISO-8601 timestamp.
    var time: Date? {
        switch self {
        case .time(let date): date
        case .json(.string(let text)): Timestamp.parse(text)
        case .json: nil
        }
    }
}

/// How two values order: numbers by value, two timestamps by time, other strings by their UTF-8 bytes
/// (as PostgreSQL's `C` collation does), booleans only as equal or not; values of different kinds do not compare.
enum ValueOrder: Equatable {
    case less
    case equal
    case greater

    static func compare(_ value: JSONValue, _ operand: JSONValue) -> ValueOrder? {
        compare(.json(value), operand)
    }

    static func compare(_ value: ComparedValue, _ operand: JSONValue) -> ValueOrder? {
        switch (value, operand) {
        case (.time(let date), .string(let text)):
            guard let other = Timestamp.parse(text) else { return nil }
            return order(date, other)
        case (.json(.number(let number)), .number(let other)):
            return order(number, other)
        case (.json(.string(let text)), .string(let other)):
            if let time = Timestamp.parse(text), let otherTime = Timestamp.parse(other) {
                return order(time, otherTime)
            }
            if text.utf8.elementsEqual(other.utf8) { return .equal }
            return text.utf8.lexicographicallyPrecedes(other.utf8) ? .less : .greater
        case (.json(.bool(let flag)), .bool(let other)):
            return flag == other ? .equal : (flag ? .greater : .less)
        default:
            return nil
        }
    }

    private static func order<T: Comparable>(_ left: T, _ right: T) -> ValueOrder {
        left < right ? .less : (left == right ? .equal : .greater)
    }
}
