import Hummingbird
import KinshipCore
import KinshipOutbox
import KinshipService

/// The answer to a collection request: Segment's `{"success": true}` plus what became of each message.
///
/// Written by the message serializer, in the form the project's `JSONEncoder` writes: Foundation's
/// encoder cost a single-event request about 20 µs, a fortieth of its CPU.
struct CollectResponse {
    struct Refusal {
        let index: Int
        let messageId: String?
        let code: String
        let message: String
    }

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
            Refusal(index: $0.index, messageId: $0.messageId, code: $0.error.code.rawValue, message: $0.error.message)
        }
    }

    var json: JSONValue {
        .object([
            "success": .bool(true),
            "stored": .number(Double(stored)),
            "duplicates": .number(Double(duplicates)),
            "withheld": .number(Double(withheld)),
            "refused": .array(refused.map { refusal in
                var object: [String: JSONValue] = [
                    "index": .number(Double(refusal.index)), "code": .string(refusal.code), "message": .string(refusal.message),
                ]
                // As the encoder wrote it: an absent id is left out, not null.
                if let messageId = refusal.messageId { object["messageId"] = .string(messageId) }
                return .object(object)
            }),
        ])
    }
}

extension Response {
    static func json(_ answer: CollectResponse) -> Response {
        .json(answer.json.serialized())
    }
}
