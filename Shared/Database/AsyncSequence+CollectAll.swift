extension AsyncSequence {
    /// Every element, in order (for reading decoded query results).
    public func collectAll() async throws -> [Element] {
        var elements: [Element] = []
        for try await element in self { elements.append(element) }
        return elements
    }
}
