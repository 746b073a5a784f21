import Foundation
import KinshipCore

/// One consent choice a profile's event stated: a category granted or refused, when, and where it came from.
struct ConsentFact: Sendable, Equatable {
    enum Origin: String, Sendable {
        /// A `Consent Preference Updated` event's `properties.categoryPreferences`.
        case event
        /// `context.consent.categoryPreferences`, which kinship.js puts on every event.
        case context
    }

    let category: String
    let granted: Bool
    let origin: Origin
    let sourceID: UUID
    let messageId: String
    let statedAt: Date

    static let consentEvent = "Consent Preference Updated"

    /// Every choice the events state, one per category and event (an event's own preferences over its context's).
    static func facts(of events: [ProfileFacts.Event]) -> [ConsentFact] {
        var facts: [ConsentFact] = []
        for event in events {
            var stated: Set<String> = []
            if event.type == "track", event.name == consentEvent {
                for (category, granted) in preferences(event.message["properties"]?["categoryPreferences"]) {
                    stated.insert(category)
                    facts.append(ConsentFact(category: category, granted: granted, origin: .event, sourceID: event.sourceID, messageId: event.messageId, statedAt: event.time))
                }
            }
            for (category, granted) in preferences(event.message["context"]?["consent"]?["categoryPreferences"]) where !stated.contains(category) {
                facts.append(ConsentFact(category: category, granted: granted, origin: .context, sourceID: event.sourceID, messageId: event.messageId, statedAt: event.time))
            }
        }
        return facts
    }

    /// The choice in force per category: the latest by the event's time (then message id, for a stable answer).
    static func inForce(_ facts: [ConsentFact]) -> [String: Bool] {
        latest(facts).mapValues(\.granted)
    }

    /// The categories refused now, each with the time the refusal in force was stated.
    static func refusedSince(_ facts: [ConsentFact]) -> [String: Date] {
        latest(facts).filter { !$0.value.granted }.mapValues(\.statedAt)
    }

    /// The fact in force per category.
    static func latest(_ facts: [ConsentFact]) -> [String: ConsentFact] {
        var latest: [String: ConsentFact] = [:]
        for fact in facts {
            if let current = latest[fact.category], (current.statedAt, current.messageId) >= (fact.statedAt, fact.messageId) { continue }
            latest[fact.category] = fact
        }
        return latest
    }

    private static func preferences(_ value: JSONValue?) -> [(String, Bool)] {
        guard case .object(let object)? = value else { return [] }
        return object.compactMap { category, granted in
            guard case .bool(let flag) = granted, !category.isEmpty, category.utf8.count <= 100 else { return nil }
            return (category, flag)
        }.sorted { $0.0 < $1.0 }
    }
}

/// How many consent facts a profile had and a hash of them in order. A profile's facts follow its events in
/// time order, so a new event usually appends facts: when the first `count` facts of an evaluation hash as the
/// last one's did, only the rest need writing. Anything else (a late event, a merge, a split) changes the
/// prefix, and every fact of the profile is written anew.
struct ConsentFactsPrint: Sendable, Equatable {
    let count: Int
    let hash: String

    /// The print of `facts`, and where facts not yet stored start when `previous` printed a prefix of them
    /// (nil: none is known to be stored, write them all).
    static func of(_ facts: [ConsentFact], after previous: ConsentFactsPrint?) -> (print: ConsentFactsPrint, storedPrefix: Int?) {
        var hasher = FNV1a()
        var storedPrefix: Int?
        for (index, fact) in facts.enumerated() {
            if index == previous?.count, Self.text(hasher.value) == previous?.hash { storedPrefix = index }
            hasher.combine("\(fact.category)\u{1F}\(fact.granted)\u{1F}\(fact.origin.rawValue)\u{1F}\(fact.sourceID.lowercased)\u{1F}")
            hasher.combine("\(fact.messageId)\u{1F}\(Timestamp.format(fact.statedAt))\u{1E}")
        }
        let print = ConsentFactsPrint(count: facts.count, hash: Self.text(hasher.value))
        if facts.count == previous?.count, print.hash == previous?.hash { storedPrefix = facts.count }
        return (print, storedPrefix)
    }

    private static func text(_ hash: UInt64) -> String { String(hash, radix: 16) }
}
