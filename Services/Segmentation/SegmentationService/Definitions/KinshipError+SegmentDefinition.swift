import KinshipCore

extension KinshipError {
    /// A refused segment definition. The message reads `at <pointer>: <reason>`, the pointer an RFC 6901 JSON
    /// pointer into the definition (`at /all/2/where/0/op: ...`), written `at the root: ...` for the whole
    /// definition, so a client can show where the problem is.
    static func invalidSegmentDefinition(at pointer: JSONPointer, _ reason: String) -> KinshipError {
        let place = pointer.tokens.isEmpty ? "the root" : pointer.description
        return .badRequest(.invalidSegmentDefinition, "at \(place): \(reason)")
    }
}
