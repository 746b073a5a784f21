import Foundation

/// The channels report's answer: one row per channel.
public struct ChannelsReportView: Report, Codable, Equatable {
    public struct Channel: Codable, Sendable, Equatable {
        /// `source/medium`, `source` alone without a medium, or `(direct)`.
        public let channel: String
        /// Profiles with a session of this channel in the period.
        public let visitors: Int
        public let sessions: Int
        /// Standing orders placed in the period that this channel brought (last touch).
        public let orders: Int
        /// Those orders' revenue, net of refunds, in baht.
        public let revenue: Double
        /// Profiles with one of those orders.
        public let buyers: Int
        /// buyers ÷ visitors; null without visitors (orders may come through a channel no session of the
        /// period came from, when its view was in the 30 days before).
        public let conversionRate: Double?

        init(channel: String, visitors: Int, sessions: Int, orders: Int, revenue: Double, buyers: Int) {
            self.channel = channel
            self.visitors = visitors
            self.sessions = sessions
            self.orders = orders
            self.revenue = revenue
            self.buyers = buyers
            conversionRate = ReportMath.rate(buyers, of: visitors)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(channel, forKey: .channel)
            try container.encode(visitors, forKey: .visitors)
            try container.encode(sessions, forKey: .sessions)
            try container.encode(orders, forKey: .orders)
            try container.encode(revenue, forKey: .revenue)
            try container.encode(buyers, forKey: .buyers)
            try container.encode(conversionRate, forKey: .conversionRate)  // null, not absent
        }
    }

    public let from: Date
    public let to: Date
    /// The most visited first.
    public let channels: [Channel]

    public var table: ReportTable {
        ReportTable(
            columns: ["channel", "visitors", "sessions", "orders", "revenue", "buyers", "conversionRate"],
            rows: channels.map { channel in
                [
                    channel.channel, ReportCell.count(channel.visitors), ReportCell.count(channel.sessions), ReportCell.count(channel.orders),
                    ReportCell.money(channel.revenue), ReportCell.count(channel.buyers), ReportCell.number(channel.conversionRate),
                ]
            }
        )
    }
}
