import Foundation

/// The support report's answer: the whole workspace's tickets, then per category and per channel.
public struct SupportReportView: Report, Codable, Equatable {
    /// The tickets of one category or channel (or all of them, as `(total)`).
    public struct Group: Codable, Sendable, Equatable {
        public let value: String
        /// Tickets opened in the period.
        public let opened: Int
        /// Tickets resolved in the period, whenever they were opened.
        public let resolved: Int
        /// The median and 90th percentile of those resolved tickets' hours from opening to resolution
        /// (interpolated); null when none was resolved.
        public let medianResolutionHours: Double?
        public let p90ResolutionHours: Double?

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(value, forKey: .value)
            try container.encode(opened, forKey: .opened)
            try container.encode(resolved, forKey: .resolved)
            try container.encode(medianResolutionHours, forKey: .medianResolutionHours)  // null, not absent
            try container.encode(p90ResolutionHours, forKey: .p90ResolutionHours)
        }
    }

    public let from: Date
    public let to: Date
    public let total: Group
    /// The most opened first.
    public let categories: [Group]
    public let channels: [Group]

    public var table: ReportTable {
        func row(_ dimension: String, _ group: Group) -> [String] {
            [dimension, group.value, ReportCell.count(group.opened), ReportCell.count(group.resolved),
             ReportCell.number(group.medianResolutionHours), ReportCell.number(group.p90ResolutionHours)]
        }
        return ReportTable(
            columns: ["dimension", "value", "opened", "resolved", "medianResolutionHours", "p90ResolutionHours"],
            rows: [row("total", total)] + categories.map { row("category", $0) } + channels.map { row("channel", $0) }
        )
    }
}
