import Foundation
import Hummingbird
import Shared

/// The answer to a collection request: Segment's `{"success": true}` plus what became of each message.
struct CollectResponse: Encodable {
    struct Refusal: Encodable {
        let index: Int
        let messageId: String?
        let code: String
        let message: String
    }

    var success = true
    let stored: Int
    let duplicates: Int
    /// Acknowledged and not stored: their own consent preferences refuse their category.
    let withheld: Int
    /// The first refused messages (at most 100), by their index in the request.
    let refused: [Refusal]

    init(_ result: Collector.Result) {
        stored = result.outcome.stored
        duplicates = result.outcome.duplicates
        withheld = result.withheld
        refused = result.refused.prefix(IngestionLimits.listedRefusals).map {
            Refusal(index: $0.index, messageId: $0.messageId, code: $0.error.code, message: $0.error.message)
        }
    }
}
