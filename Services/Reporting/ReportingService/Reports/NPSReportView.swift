import Foundation

/// The NPS report's answer: the responses of each interval by category, their score, and the whole period's.
public struct NPSReportView: Report, Codable, Equatable {
    /// The responses of one interval (or of the whole period, starting at its start).
    public struct Tally: Codable, Sendable, Equatable {
        public let starts: Date
        public let responses: Int
        public let promoters: Int
        public let passives: Int
        public let detractors: Int
        /// 100 × (promoters − detractors) ÷ responses, from −100 to 100; null without responses.
        public let score: Double?

        init(starts: Date, promoters: Int, passives: Int, detractors: Int) {
            self.starts = starts
            self.promoters = promoters
            self.passives = passives
            self.detractors = detractors
            responses = promoters + passives + detractors
            score = responses == 0 ? nil : 100 * Double(promoters - detractors) / Double(responses)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(starts, forKey: .starts)
            try container.encode(responses, forKey: .responses)
            try container.encode(promoters, forKey: .promoters)
            try container.encode(passives, forKey: .passives)
            try container.encode(detractors, forKey: .detractors)
            try container.encode(score, forKey: .score)  // null, not absent
        }
    }

    public let from: Date
    public let to: Date
    public let interval: ReportInterval
    /// Every interval that overlaps the period, oldest first, including those without responses.
    public let intervals: [Tally]
    public let total: Tally

    public var table: ReportTable {
        func row(_ label: String, _ tally: Tally) -> [String] {
            [label, ReportCell.count(tally.responses), ReportCell.count(tally.promoters), ReportCell.count(tally.passives),
             ReportCell.count(tally.detractors), ReportCell.number(tally.score)]
        }
        return ReportTable(
            columns: ["starts", "responses", "promoters", "passives", "detractors", "score"],
            rows: intervals.map { row(ReportCell.time($0.starts), $0) } + [row("total", total)]
        )
    }
}
