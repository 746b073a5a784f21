extension FieldReference {
    /// The jsonb the field names on a row of `segment_profiles sp` joined to `profiles p`: a trait's `value`
    /// (identity keeps each trait as `{"value": …, "at": …, "source": …}`), a computed trait, or a consent
    /// category when it is a boolean (the subject's consent holds booleans only).
    func sql(_ writer: inout SegmentSQLWriter) -> String {
        switch source {
        case .trait:
            return "p.traits -> \(writer.bind(path[0])) -> 'value'" + Self.steps(path.dropFirst(), &writer)
        case .computed:
            return "sp.computed" + Self.steps(path[...], &writer)
        case .consent:
            let category = writer.bind(path[0])
            return "CASE WHEN jsonb_typeof(sp.consent -> \(category)) = 'boolean' THEN sp.consent -> \(category) END"
        }
    }

    /// `-> $n` for each key of a path into a jsonb value.
    static func steps(_ path: ArraySlice<String>, _ writer: inout SegmentSQLWriter) -> String {
        path.map { " -> \(writer.bind($0))" }.joined()
    }
}
