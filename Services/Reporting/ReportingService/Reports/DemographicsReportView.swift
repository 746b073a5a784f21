import Foundation

/// The demographics report's answer: per dimension (age group, then each trait asked for), its values.
public struct DemographicsReportView: Report, Codable, Equatable {
    /// The active profiles with one value of a dimension, and what they bought in the period.
    public struct Group: Codable, Sendable, Equatable {
        public let value: String
        public let profiles: Int
        public let buyers: Int
        public let orders: Int
        /// Net of refunds, in baht.
        public let revenue: Double
        /// buyers ÷ profiles (never null: a group has at least one profile).
        public var conversionRate: Double { Double(buyers) / Double(profiles) }

        private enum CodingKeys: String, CodingKey { case value, profiles, buyers, orders, revenue, conversionRate }

        init(value: String, profiles: Int, buyers: Int, orders: Int, revenue: Double) {
            self.value = value
            self.profiles = profiles
            self.buyers = buyers
            self.orders = orders
            self.revenue = revenue
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                value: try container.decode(String.self, forKey: .value), profiles: try container.decode(Int.self, forKey: .profiles),
                buyers: try container.decode(Int.self, forKey: .buyers), orders: try container.decode(Int.self, forKey: .orders),
                revenue: try container.decode(Double.self, forKey: .revenue)
            )
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(value, forKey: .value)
            try container.encode(profiles, forKey: .profiles)
            try container.encode(buyers, forKey: .buyers)
            try container.encode(orders, forKey: .orders)
            try container.encode(revenue, forKey: .revenue)
            try container.encode(conversionRate, forKey: .conversionRate)
        }
    }

    /// One way of grouping the profiles: `age_group` or a trait's name, its values the most profiles first.
    public struct Dimension: Codable, Sendable, Equatable {
        public let name: String
        public let groups: [Group]
    }

    public let from: Date
    public let to: Date
    public let dimensions: [Dimension]

    public var table: ReportTable {
        ReportTable(
            columns: ["dimension", "value", "profiles", "buyers", "orders", "revenue", "conversionRate"],
            rows: dimensions.flatMap { dimension in
                dimension.groups.map { group in
                    [dimension.name, group.value, ReportCell.count(group.profiles), ReportCell.count(group.buyers), ReportCell.count(group.orders),
                     ReportCell.money(group.revenue), ReportCell.number(group.conversionRate)]
                }
            }
        )
    }
}
