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
