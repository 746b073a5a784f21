import KinshipCore

/// A value a compiled comparison reads, as a SQL expression: the counterpart of `ComparedValue`.
///
/// Each form answers the primitive questions of `ValueOrder` as boolean SQL that is never NULL, so `not`
/// can negate it: a missing value, or values of different kinds, answer false.
enum SQLComparedValue {
    /// A jsonb expression: a field or an event property; missing when SQL NULL or JSON null.
    case json(String)
    /// A float8 expression: an event count, sum or mean; missing when NULL.
    case number(String)
    /// A timestamptz expression: an event's time; missing when NULL.
    case time(String)

    /// Present and not JSON null.
    var presence: String {
        switch self {
        case .json(let value): "coalesce(jsonb_typeof(\(value)) <> 'null', false)"
        case .number(let value), .time(let value): "(\(value) IS NOT NULL)"
        }
    }

    /// The value as a time (a string that `kinship_segment_time` reads, or an event's time), NULL otherwise.
    var timeExpression: String {
        switch self {
        case .json(let value): "CASE WHEN jsonb_typeof(\(value)) = 'string' THEN kinship_segment_time(\(value) #>> '{}') END"
        case .number: "NULL::timestamptz"
        case .time(let value): value
        }
    }

    /// `ValueOrder.compare(value, operand) == .equal`.
    func equals(_ operand: JSONValue, _ writer: inout SegmentSQLWriter) -> String {
        compared("=", operand, &writer)
    }

    /// `ValueOrder.compare(value, operand)` is defined and in the relation `sqlOperator` (`<`, `<=`, `>`, `>=`) names.
    func ordered(_ sqlOperator: String, _ operand: JSONValue, _ writer: inout SegmentSQLWriter) -> String {
        compared(sqlOperator, operand, &writer)
    }

    /// A string holding the operand string (by bytes, as `strpos` finds it), or an array holding an element equal to the operand.
    func contains(_ operand: JSONValue, _ writer: inout SegmentSQLWriter) -> String {
        guard case .json(let value) = self else { return "false" }
        let inString = if case .string(let part) = operand { "strpos(\(value) #>> '{}', \(writer.bind(part))) > 0" } else { "false" }
        let element = SQLComparedValue.json("element.value").equals(operand, &writer)
        return """
            coalesce(CASE jsonb_typeof(\(value)) WHEN 'string' THEN \(inString) \
            WHEN 'array' THEN EXISTS (SELECT 1 FROM jsonb_array_elements(\(value)) AS element WHERE \(element)) \
            ELSE false END, false)
            """
    }

    private func compared(_ sqlOperator: String, _ operand: JSONValue, _ writer: inout SegmentSQLWriter) -> String {
        switch (self, operand) {
        case (.json(let value), .number(let number)):
            return "coalesce(CASE WHEN jsonb_typeof(\(value)) = 'number' THEN (\(value))::float8 \(sqlOperator) \(writer.bind(number)) END, false)"
        case (.json(let value), .bool(let flag)):
            return "coalesce(CASE WHEN jsonb_typeof(\(value)) = 'boolean' THEN (\(value))::boolean \(sqlOperator) \(writer.bind(flag)) END, false)"
        case (.json(let value), .string(let text)):
            let placeholder = writer.bind(text)
            let string = "\(value) #>> '{}'"
            let asText = "(\(string)) COLLATE \"C\" \(sqlOperator) \(placeholder)"
            // Two timestamps compare as times; when either is not one, as text. Whether the operand is one is
            // known here, so only then does the query parse the value.
            let comparison = Timestamp.parse(text) == nil
                ? asText
                : "coalesce(kinship_segment_time(\(string)) \(sqlOperator) kinship_segment_time(\(placeholder)), \(asText))"
            return "coalesce(CASE WHEN jsonb_typeof(\(value)) = 'string' THEN \(comparison) END, false)"
        case (.number(let value), .number(let number)):
            return "coalesce(\(value) \(sqlOperator) \(writer.bind(number)), false)"
        case (.time(let value), .string(let text)):
            return "coalesce(\(value) \(sqlOperator) kinship_segment_time(\(writer.bind(text))), false)"
        default:
            return "false"
        }
    }
}
