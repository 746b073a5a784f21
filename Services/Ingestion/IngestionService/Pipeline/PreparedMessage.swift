import Foundation
import KinshipCore
import KinshipOutbox
import KinshipService

/// A message that passed ingestion's rules, enriched and with its PII and identifiers sealed: ready to
/// store. Its JSON is written here, in the request's own task, so the shared writer has little left to do.
struct PreparedMessage: Sendable {
    let messageId: String
    /// A token of the person's strongest id (never the id itself): its `events` partition, so one person's events stay in order.
    let routingKey: String
    let type: TrackingMessageType
    /// nil when absent or empty.
    let event: String?
    let eventTime: StoredTime
    /// The message as stored (`events.message`): as sent, plus enrichment, PII and identifiers sealed; JSON text.
    let json: [UInt8]
    /// Its reference in an `events` message: `{"messageId", "receivedAt"}`.
    let reference: String
}

/// A message ingestion refused, with why; kept in `failed_events` for its source.
struct RefusedMessage: Sendable {
    let index: Int
    let messageId: String?
    let error: KinshipError
    let raw: JSONValue
}

/// How ingestion disposed of one message.
enum MessageOutcome: Sendable {
    case accepted(PreparedMessage)
    /// Its own consent refuses the category of the message: acknowledged, not stored.
    case withheldByConsent
    case refused(RefusedMessage)
}
