/// A batch's events with the identifiers each carries and their tokens, worked out before anything is
/// locked (`IdentityGraph.carried(by:)`).
struct CarriedIdentifiers {
    let events: [StoredEvent]
    /// Per event, what `Identifier.of` found: its identifiers, and an alias's `previousId`.
    let identifiers: [(identifiers: [Identifier], previousID: String?)]
    /// Per event, every identifier it may join: its own, and both readings of a `previousId`.
    let candidates: [[Identifier]]
    /// Each candidate's blind-index token (hex).
    let tokens: [Identifier: String]

    /// The first `count` events, with only their identifiers.
    func prefix(_ count: Int) -> CarriedIdentifiers {
        guard count < events.count else { return self }
        let kept = candidates[..<count]
        var tokens: [Identifier: String] = [:]
        for identifier in kept.joined() { tokens[identifier] = self.tokens[identifier] }
        return CarriedIdentifiers(events: Array(events[..<count]), identifiers: Array(identifiers[..<count]), candidates: Array(kept), tokens: tokens)
    }
}
