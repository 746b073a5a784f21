import Foundation
import KinshipCore

/// What `kinship demo send` did, printed at the end on standard output.
struct DemoSendSummary: Sendable {
    /// What one sender (or the whole run) counted; runs add up.
    struct Counts: Sendable {
        var batchEvents = 0
        var batches = 0
        var pixelEvents = 0
        /// Ingestion's counts for the batched messages (the pixel answers only with an image).
        var stored = 0
        var duplicates = 0
        var withheld = 0
        var refused = 0
        /// The first refusals, to show why.
        var refusals: [CollectSummary.Refusal] = []
        var retries = 0

        static let listedRefusals = 10

        static func + (left: Counts, right: Counts) -> Counts {
            var sum = left
            sum.batchEvents += right.batchEvents
            sum.batches += right.batches
            sum.pixelEvents += right.pixelEvents
            sum.stored += right.stored
            sum.duplicates += right.duplicates
            sum.withheld += right.withheld
            sum.refused += right.refused
            sum.refusals = Array((left.refusals + right.refusals).prefix(listedRefusals))
            sum.retries += right.retries
            return sum
        }

        /// Adds ingestion's answer to a batch of `count` messages.
        mutating func add(_ answer: CollectSummary, of count: Int) {
            batchEvents += count
            batches += 1
            stored += answer.stored
            duplicates += answer.duplicates
            withheld += answer.withheld
            // The answer lists at most 100 refusals; what was neither stored nor acknowledged was refused.
            refused += count - answer.stored - answer.duplicates - answer.withheld
            refusals += answer.refused.prefix(max(Self.listedRefusals - refusals.count, 0))
        }
    }

    var counts = Counts()
    /// Ingestion's answer to the point-of-sale import; nil when the shop had no store purchases.
    var pointOfSale: ImportSummary?
    var duration = Duration.zero

    var lines: [String] {
        let events = counts.batchEvents + counts.pixelEvents
        let seconds = max(ProgressFormat.seconds(duration), 0.001)
        var lines = [
            "events \(events) (batch \(counts.batchEvents) in \(counts.batches) requests, pixel \(counts.pixelEvents)) in "
                + String(format: "%.1f s, %.0f events/s", seconds, Double(events) / seconds),
            "batched: stored \(counts.stored), duplicates \(counts.duplicates), withheld by consent \(counts.withheld), refused \(counts.refused)",
        ]
        if let pos = pointOfSale {
            lines.append("POS rows \(pos.rows): stored \(pos.stored), duplicates \(pos.duplicates), withheld by consent \(pos.withheld), refused \(pos.refused)")
        } else {
            lines.append("POS rows 0")
        }
        lines.append("retries \(counts.retries)")
        return lines
    }
}
