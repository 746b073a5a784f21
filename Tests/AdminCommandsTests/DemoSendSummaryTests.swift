import KinshipCore
import Testing
@testable import AdminCommands

struct DemoSendSummaryTests {
    @Test func whatABatchAnswerDidNotStoreOrAcknowledgeWasRefused() {
        var counts = DemoSendSummary.Counts()
        counts.add(CollectSummary(stored: 97, duplicates: 2, withheld: 1, refused: [
            .init(index: 3, messageId: "m-3", code: "missing_event", message: "A track needs 'event'."),
        ]), of: 103)
        // Only the first 100 refusals are listed: the count comes from the totals.
        counts.add(CollectSummary(stored: 300, duplicates: 0, withheld: 0, refused: []), of: 500)
        #expect(counts.batchEvents == 603 && counts.batches == 2)
        #expect(counts.stored == 397 && counts.duplicates == 2 && counts.withheld == 1 && counts.refused == 203)
        #expect(counts.refusals.map(\.messageId) == ["m-3"])

        var other = DemoSendSummary.Counts()
        other.pixelEvents = 7
        other.retries = 2
        let sum = counts + other
        #expect(sum.batchEvents == 603 && sum.pixelEvents == 7 && sum.retries == 2 && sum.refused == 203)
    }
}
