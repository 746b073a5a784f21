import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox

/// What ingestion knows about a request, the same for every message in it.
struct RequestMetadata: Sendable {
    let source: AuthenticatedSource
    let receivedAt: Date
    /// The client address (already chosen through trusted proxies), before the workspace's IP policy.
    let clientAddress: String?
    let userAgent: String?
    /// Batch-level `context`, `integrations` and `sentAt` that apply to each message.
    var batchContext: [String: JSONValue]? = nil
    var batchIntegrations: [String: JSONValue]? = nil
    var batchSentAt: Date? = nil
    /// Set by the single-message endpoints (`/v1/track` implies `track`).
    var impliedType: TrackingMessageType? = nil
}
