import Foundation
import Testing
@testable import IngestionService
import KinshipCore
import KinshipOutbox
import KinshipService

/// The collection answer is written by the message serializer, byte for byte as the project's `JSONEncoder`
/// writes the shared contract `CollectSummary` that clients (`kinship demo send`) read it with.
@Suite struct CollectResponseTests {
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
        let summary = CollectSummary(
            stored: answer.stored, duplicates: answer.duplicates, withheld: answer.withheld,
            refused: answer.refused.map { .init(index: $0.index, messageId: $0.messageId, code: $0.code, message: $0.message) }
        )
        let expected = String(decoding: try JSONCoding.encoder().encode(summary), as: UTF8.self)
        #expect(answer.json.serialized() == expected)
        #expect(try JSONCoding.decoder().decode(CollectSummary.self, from: Data(answer.json.serialized().utf8)) == summary)
    }
}
