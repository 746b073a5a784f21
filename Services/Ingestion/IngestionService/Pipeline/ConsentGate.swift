import KinshipCore
import KinshipOutbox
import KinshipPrivacy
import Metrics

/// The one place ingestion decides whether consent allows storing a message.
///
/// Today it reads the message's own `context.consent.categoryPreferences`; stored consent per person
/// and suppression lists (a later issue) belong in `withholds` as well, so every endpoint — batch,
/// single, pixel, import — obeys them without further changes.
struct ConsentGate: Sendable {
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
