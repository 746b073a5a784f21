import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy

/// One request's share of a group commit: its accepted messages and the refused ones to keep.
struct WriteBatch: Sendable {
    let source: Source
    /// As stored in `events.received_at` and in the outbox reference, which always match.
    let receivedAt: StoredTime
    let messages: [PreparedMessage]
    let failures: [FailedEventRow]
}

/// A refused message as kept in `failed_events`: the whole message sealed, it may hold any PII.
struct FailedEventRow: Sendable {
    let code: String
    let message: String
    let sealedPayload: Data

    init(_ refusal: RefusedMessage, source: AuthenticatedSource) throws {
        code = refusal.error.code.rawValue
        message = refusal.error.message
        let payload = Array(refusal.raw.serialized().utf8)
        sealedPayload = try source.dataKey.seal(payload, context: FailedEventSealing.context(source.workspaceID))
    }
}

/// What became of a request's accepted messages.
struct WriteOutcome: Sendable, Equatable {
    var stored = 0
    /// Acknowledged but not stored again: their `messageId` was seen within the dedup window.
    var duplicates = 0
}
