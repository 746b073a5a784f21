import Foundation
import Testing
@testable import IngestionService
import KinshipCore
import KinshipOutbox
import KinshipService

/// The collection answer is written by the message serializer; clients saw the project's `JSONEncoder`
/// form before, and see it still, byte for byte.
@Suite struct CollectResponseTests {
    /// What `JSONEncoder` wrote for the answer (the earlier `Encodable` form of `CollectResponse`).
    private struct EncodedAnswer: Encodable {
        struct Refusal: Encodable {
            let index: Int
            let messageId: String?
            let code: String
            let message: String
        }

        var success = true
        let stored: Int
        let duplicates: Int
        let withheld: Int
        let refused: [Refusal]
    }

    @Test(arguments: [
        Collector.Result(outcome: WriteOutcome(stored: 1, duplicates: 0)),
        Collector.Result(outcome: WriteOutcome(stored: 97, duplicates: 2), withheld: 1, refused: [
            RefusedMessage(index: 3, messageId: "m-3", error: KinshipError.badRequest(.missingField, "A track needs 'event'."), raw: .null),
            RefusedMessage(index: 12, messageId: nil, error: KinshipError.badRequest(.invalidMessage, #"Not "JSON": \ / é ✓ 🙂"#), raw: .null),
            RefusedMessage(index: 40, messageId: "m/\u{1}\t\n", error: KinshipError.badRequest(.invalidField, "timestamp"), raw: .null),
        ]),
    ])
    func theAnswerIsWhatTheEncoderWrote(_ result: Collector.Result) throws {
        let answer = CollectResponse(result)
        let encoded = EncodedAnswer(
            stored: answer.stored, duplicates: answer.duplicates, withheld: answer.withheld,
            refused: answer.refused.map { .init(index: $0.index, messageId: $0.messageId, code: $0.code, message: $0.message) }
        )
        let expected = String(decoding: try JSONCoding.encoder().encode(encoded), as: UTF8.self)
        #expect(answer.json.serialized() == expected)
    }
}
