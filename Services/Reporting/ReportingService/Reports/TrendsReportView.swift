import Foundation

/// The trends report's answer: the intervals' starts, and per breakdown value its count in each interval.
public struct TrendsReportView: Report, Codable, Equatable {
    /// One line of the chart: a breakdown value (`(all)` without a breakdown) and its counts, one per interval.
    public struct Series: Codable, Sendable, Equatable {
        public let value: String
        public let counts: [Int]
        public let total: Int

        init(value: String, counts: [Int]) {
            self.value = value
            self.counts = counts
            total = counts.reduce(0, +)
        }

        /// The largest first, then by value (as the query ranks them); `(other)` last.
        static func chartOrder(_ a: Series, _ b: Series) -> Bool {
            let (aIsOther, bIsOther) = (a.value == "(other)", b.value == "(other)")
            if aIsOther != bIsOther { return bIsOther }
            if a.total != b.total { return a.total > b.total }
            return a.value.unicodeScalars.lexicographicallyPrecedes(b.value.unicodeScalars)
        }
    }

    public let from: Date
    public let to: Date
    public let interval: ReportInterval
    public let event: String?
    public let breakdownProperty: String?
    /// The start of every interval overlapping the period, oldest first.
    public let intervals: [Date]
    public let series: [Series]

    public var table: ReportTable {
        ReportTable(
            columns: ["starts"] + series.map(\.value),
            rows: intervals.indices.map { index in [ReportCell.time(intervals[index])] + series.map { ReportCell.count($0.counts[index]) } }
        )
    }
}
