import Foundation
import KinshipCore
import KinshipOutbox
import KinshipPrivacy
import Metrics

/// The one place ingestion decides whether a person's choices allow storing a message, so every endpoint
/// — batch, single, pixel, import — obeys them. A message is acknowledged and not stored when:
/// - its own `context.consent.categoryPreferences` refuses the category the workspace's policy puts it in;
/// - or it states nothing for that category, is dated at or after a refusal of it by the person one of its
///   identifiers belongs to (`consent_refusals`, which segmentation keeps from the person's consent facts;
///   an event from before the refusal, arriving late, was collected with consent);
/// - or one of its identifiers is suppressed (a `suppress` privacy request), whatever the category.
/// The message's own statement wins over the stored one: it is the newer.
struct ConsentGate: Sendable {
    /// The request's workspace's policy, suppressed identifiers and refusals.
    var privacy: WorkspacePrivacyCache.State = .standard
    /// The key the workspace's identifier tokens are made with.
    var blindIndex: BlindIndex?

    /// Why a message is not stored.
    enum Withholding: Equatable {
        /// Its own consent refuses the category.
        case messageConsent(category: String)
        /// A stored refusal of one of its identifiers.
        case storedConsent(category: String)
        case suppressed
    }

    /// Whether the message must be acknowledged but not stored; counted in the ingestion metrics.
    func withholds(_ message: TrackingMessage, _ object: [String: JSONValue], at eventTime: Date) -> Bool {
        guard let withholding = withholding(message, object, at: eventTime) else { return false }
        switch withholding {
        case .messageConsent(let category):
            Counter(label: "kinship_ingestion_withheld_by_consent_total", dimensions: [("category", category), ("origin", "message")]).increment()
        case .storedConsent(let category):
            Counter(label: "kinship_ingestion_withheld_by_consent_total", dimensions: [("category", category), ("origin", "stored")]).increment()
        case .suppressed:
            Counter(label: "kinship_ingestion_suppressed_total").increment()
        }
        return true
    }

    func withholding(_ message: TrackingMessage, _ object: [String: JSONValue], at eventTime: Date) -> Withholding? {
        let category = privacy.policy.category(type: message.type.rawValue, event: message.event)
        let stated = category == PrivacyPolicy.necessary ? nil : Self.statedPreference(message, category)
        if stated == false { return .messageConsent(category: category) }
        guard privacy.checksIdentifiers, let blindIndex else { return nil }
        let tokens = privacy.tokens(in: object, blindIndex: blindIndex)
        if !privacy.suppressed.isEmpty, tokens.contains(where: privacy.suppressed.contains) { return .suppressed }
        guard category != PrivacyPolicy.necessary, stated == nil, !privacy.refusals.isEmpty else { return nil }
        let refused = tokens.contains { token in privacy.refusals[token]?[category].map { eventTime >= $0 } == true }
        return refused ? .storedConsent(category: category) : nil
    }

    /// What the message's own `context.consent.categoryPreferences` says of `category`, if anything.
    static func statedPreference(_ message: TrackingMessage, _ category: String) -> Bool? {
        guard case .object(let consent)? = message.context?["consent"],
              case .object(let preferences)? = consent["categoryPreferences"],
              case .bool(let allowed)? = preferences[category]
        else { return nil }
        return allowed
    }
}
