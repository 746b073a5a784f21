import KinshipCore
import KinshipOutbox
import KinshipPrivacy
import Metrics

/// The one place ingestion decides whether a person's choices allow storing a message, so every endpoint
/// — batch, single, pixel, import — obeys them: the message's own `context.consent.categoryPreferences`,
/// and the workspace's suppressed identifiers (`SuppressionCache`).
struct ConsentGate: Sendable {
    /// The request's workspace's suppressed identifiers, and the key their tokens are made with.
    var suppressed: SuppressionCache.List = .empty
    var blindIndex: BlindIndex?

    /// E-mail and campaign events: consent category `marketing`.
    static let marketingEvents: Set<String> = [
        "Email Delivered", "Email Opened", "Email Link Clicked", "Email Bounced", "Email Marked as Spam", "Unsubscribed",
    ]

    /// The consent category a message belongs to (the default mapping; per workspace later).
    static func category(of message: TrackingMessage) -> String {
        switch message.type {
        case .identify, .alias, .group:
            return "necessary"
        case .page, .screen:
            return "analytics"
        case .track:
            let event = message.event ?? ""
            if marketingEvents.contains(event) || event.hasPrefix("Email ") || event.hasPrefix("Campaign ") { return "marketing" }
            return event == "Consent Preference Updated" ? "necessary" : "analytics"
        }
    }

    /// True when the message carries an identifier of a suppressed person: acknowledged, not stored, counted.
    func suppresses(_ message: [String: JSONValue]) -> Bool {
        guard !suppressed.isEmpty, let blindIndex, suppressed.suppresses(message, blindIndex: blindIndex) else { return false }
        Counter(label: "kinship_ingestion_suppressed_total").increment()
        return true
    }

    /// True when the message must be acknowledged but not stored.
    func withholds(_ message: TrackingMessage) -> Bool {
        let category = Self.category(of: message)
        guard category != "necessary",
              case .object(let consent)? = message.context?["consent"],
              case .object(let preferences)? = consent["categoryPreferences"],
              case .bool(let allowed)? = preferences[category]
        else { return false }
        if !allowed {
            Counter(label: "kinship_ingestion_withheld_by_consent_total", dimensions: [("category", category)]).increment()
        }
        return !allowed
    }
}
