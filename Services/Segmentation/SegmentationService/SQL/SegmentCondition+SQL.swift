extension SegmentCondition {
    /// Boolean SQL, never NULL, over a row of `segment_profiles sp` joined to `profiles p`: true when the
    /// profile satisfies the condition, as `evaluate(_:now:)` would answer for its subject.
    func sql(_ writer: inout SegmentSQLWriter) -> String {
        switch self {
        case .all(let children):
            return "(" + children.map { $0.sql(&writer) }.joined(separator: " AND ") + ")"
        case .any(let children):
            return "(" + children.map { $0.sql(&writer) }.joined(separator: " OR ") + ")"
        case .not(let child):
            return "(NOT \(child.sql(&writer)))"
        case .field(let condition):
            let value = condition.field.sql(&writer)
            return condition.comparison.sql(.json(value), &writer)
        case .event(let condition):
            return condition.sql(&writer)
        }
    }
}
