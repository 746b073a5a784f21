/// The RFM report's answer: the 25 cells of recency × frequency, and the named groups.
public struct RFMReportView: Report, Codable, Equatable {
    /// The buyers with one recency and one frequency score (1–5 each), and their revenue in baht.
    public struct Cell: Codable, Sendable, Equatable {
        public let recency: Int
        public let frequency: Int
        public let profiles: Int
        public let revenue: Double
    }

    /// The buyers of one RFM group (Champions, At Risk, …), and their revenue in baht.
    public struct Group: Codable, Sendable, Equatable {
        public let name: String
        public let profiles: Int
        public let revenue: Double
    }

    /// Every cell, empty ones included: recency 1 to 5, and within each frequency 1 to 5.
    public let grid: [Cell]
    /// The groups that have buyers, the largest first (ties by name).
    public let groups: [Group]

    public var table: ReportTable {
        ReportTable(
            columns: ["kind", "recency", "frequency", "group", "profiles", "revenue"],
            rows: grid.map { ["cell", String($0.recency), String($0.frequency), "", ReportCell.count($0.profiles), ReportCell.money($0.revenue)] }
                + groups.map { ["group", "", "", $0.name, ReportCell.count($0.profiles), ReportCell.money($0.revenue)] }
        )
    }
}
