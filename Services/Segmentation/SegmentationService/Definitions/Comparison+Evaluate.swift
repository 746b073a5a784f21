import Foundation
import KinshipCore

extension Comparison {
    /// Whether `value` (nil when missing or null) satisfies the comparison at `now`, and when time alone
    /// could next change that (only the operators relative to now have such a moment).
    func evaluate(_ value: ComparedValue?, now: Date) -> SegmentEvaluation {
        switch self {
        case .beforeDaysAgo(let days):
            guard let time = value?.time else { return SegmentEvaluation(matches: false, nextChange: nil) }
            let due = time.addingTimeInterval(Self.seconds(days))
            return now >= due ? SegmentEvaluation(matches: true, nextChange: nil) : SegmentEvaluation(matches: false, nextChange: due)
        case .withinDays(let days):
            guard let time = value?.time else { return SegmentEvaluation(matches: false, nextChange: nil) }
            if now < time { return SegmentEvaluation(matches: false, nextChange: time) }
            let leaves = time.addingTimeInterval(Self.seconds(days))
            return now < leaves ? SegmentEvaluation(matches: true, nextChange: leaves) : SegmentEvaluation(matches: false, nextChange: nil)
        default:
            return SegmentEvaluation(matches: matches(value), nextChange: nil)
        }
    }

    static func seconds(_ days: Int) -> TimeInterval { TimeInterval(days) * 86_400 }

    private func matches(_ value: ComparedValue?) -> Bool {
        if case .exists(let flag) = self { return (value != nil) == flag }
        if case .notEqual(let operand) = self {
            guard let value else { return true }
            return ValueOrder.compare(value, operand) != .equal
        }
        guard let value else { return false }
        switch self {
        case .equal(let operand):
            return ValueOrder.compare(value, operand) == .equal
        case .ordered(let order, let operand):
            guard let result = ValueOrder.compare(value, operand) else { return false }
            switch order {
            case .greater: return result == .greater
            case .greaterOrEqual: return result != .less
            case .less: return result == .less
            case .lessOrEqual: return result != .greater
            }
        case .oneOf(let operands):
            return operands.contains { ValueOrder.compare(value, $0) == .equal }
        case .contains(let operand):
            switch (value, operand) {
            case (.json(.string(let text)), .string(let part)):
                return Self.bytes(of: text, contain: part)
            case (.json(.array(let items)), _):
                return items.contains { ValueOrder.compare($0, operand) == .equal }
            default:
                return false
            }
        case .between(let low, let high):
            guard let fromLow = ValueOrder.compare(value, low), let fromHigh = ValueOrder.compare(value, high) else {
                return false
            }
            return fromLow != .less && fromHigh != .greater
        case .exists, .notEqual, .beforeDaysAgo, .withinDays:
            return false  // answered above
        }
    }

    /// Substring by UTF-8 bytes, as PostgreSQL's `strpos` finds it, rather than by Unicode canonical equivalence.
    private static func bytes(of text: String, contain part: String) -> Bool {
        let haystack = Array(text.utf8), needle = Array(part.utf8)
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start..<start + needle.count].elementsEqual(needle) {
            return true
        }
        return false
    }
}
