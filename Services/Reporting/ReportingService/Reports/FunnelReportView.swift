import Foundation

/// The funnel's answer: profiles per step for the whole workspace, and per value of the breakdown property.
public struct FunnelReportView: Report, Codable, Equatable {
    /// One step: the profiles that reached it and what share of the step before and of the first step that is.
    public struct Step: Codable, Sendable, Equatable {
        public let event: String
        public let profiles: Int
        /// profiles ÷ the previous step's profiles; null for the first step and when the previous step has none.
        public let conversionFromPrevious: Double?
        /// profiles ÷ the first step's profiles; null when the first step has none.
        public let conversionFromFirst: Double?

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(event, forKey: .event)
            try container.encode(profiles, forKey: .profiles)
            try container.encode(conversionFromPrevious, forKey: .conversionFromPrevious)  // null, not absent
            try container.encode(conversionFromFirst, forKey: .conversionFromFirst)
        }

        static func list(_ events: [String], counts: [Int]) -> [Step] {
            events.indices.map { index in
                Step(
                    event: events[index], profiles: counts[index],
                    conversionFromPrevious: index == 0 ? nil : ReportMath.rate(counts[index], of: counts[index - 1]),
                    conversionFromFirst: ReportMath.rate(counts[index], of: counts[0])
                )
            }
        }
    }

    /// The steps of the profiles whose first step's event had this value of the breakdown property.
    public struct Group: Codable, Sendable, Equatable {
        public let value: String
        public let steps: [Step]
    }

    public let from: Date
    public let to: Date
    public let windowSeconds: Int
    public let breakdownProperty: String?
    public let steps: [Step]
    /// Empty without a breakdown property; the most entered group first.
    public let breakdown: [Group]

    public var table: ReportTable {
        func rows(_ value: String, _ steps: [Step]) -> [[String]] {
            steps.enumerated().map { index, step in
                [value, String(index + 1), step.event, ReportCell.count(step.profiles), ReportCell.number(step.conversionFromPrevious),
                 ReportCell.number(step.conversionFromFirst)]
            }
        }
        return ReportTable(
            columns: ["breakdown", "step", "event", "profiles", "conversionFromPrevious", "conversionFromFirst"],
            rows: rows("(all)", steps) + breakdown.flatMap { rows($0.value, $0.steps) }
        )
    }
}
