import Foundation
import Shared

/// A message that passed the door's rules, enriched and with its PII sealed: ready to store.
struct PreparedMessage: Sendable {
    let messageId: String
    let type: MessageType
    let event: String?
    let eventTime: Date
    /// The outbox key: a token of the person's strongest id (never the id itself), so one person's events stay in order.
    let routingKey: String
    /// The message as stored (`events.message`): as sent, plus enrichment, with PII sealed.
    let stored: [String: JSONValue]
}

/// A message the door refused, with why; kept in `failed_events` for its source.
struct RefusedMessage: Sendable {
    let index: Int
    let messageId: String?
    let error: KinshipError
    let raw: JSONValue
}

/// How the door disposed of one message.
enum MessageDisposition: Sendable {
    case accepted(PreparedMessage)
    /// Its own consent refuses the category of the message: acknowledged, not stored.
    case withheldByConsent
    case refused(RefusedMessage)
}
