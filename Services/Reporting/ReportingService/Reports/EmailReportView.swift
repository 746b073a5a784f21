import Foundation

/// The e-mail report's answer: one row per campaign, and their sums.
public struct EmailReportView: Report, Codable, Equatable {
    /// A campaign's e-mails in the period: counts and the rates made of them.
    public struct Campaign: Codable, Sendable, Equatable {
        /// `campaign_id` of the events; `(none)` for events without one, `(total)` for the sums.
        public let campaignId: String
        public let campaignName: String?
        public let delivered: Int
        public let uniqueOpens: Int
        public let uniqueClicks: Int
        public let bounces: Int
        public let unsubscribes: Int
        /// uniqueOpens ÷ delivered; null when nothing was delivered.
        public let openRate: Double?
        /// uniqueClicks ÷ delivered; null when nothing was delivered.
        public let clickThroughRate: Double?
        /// bounces ÷ (delivered + bounces), the e-mails sent; null when none was sent.
        public let bounceRate: Double?

        init(campaignId: String, campaignName: String?, delivered: Int, uniqueOpens: Int, uniqueClicks: Int, bounces: Int, unsubscribes: Int) {
            self.campaignId = campaignId
            self.campaignName = campaignName
            self.delivered = delivered
            self.uniqueOpens = uniqueOpens
            self.uniqueClicks = uniqueClicks
            self.bounces = bounces
            self.unsubscribes = unsubscribes
            openRate = ReportMath.rate(uniqueOpens, of: delivered)
            clickThroughRate = ReportMath.rate(uniqueClicks, of: delivered)
            bounceRate = ReportMath.rate(bounces, of: delivered + bounces)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(campaignId, forKey: .campaignId)
            try container.encode(campaignName, forKey: .campaignName)  // null, not absent, as the rates
            try container.encode(delivered, forKey: .delivered)
            try container.encode(uniqueOpens, forKey: .uniqueOpens)
            try container.encode(uniqueClicks, forKey: .uniqueClicks)
            try container.encode(bounces, forKey: .bounces)
            try container.encode(unsubscribes, forKey: .unsubscribes)
            try container.encode(openRate, forKey: .openRate)
            try container.encode(clickThroughRate, forKey: .clickThroughRate)
            try container.encode(bounceRate, forKey: .bounceRate)
        }
    }

    public let from: Date
    public let to: Date
    /// The most delivered first.
    public let campaigns: [Campaign]
    public let total: Campaign

    public var table: ReportTable {
        ReportTable(
            columns: [
                "campaignId", "campaignName", "delivered", "uniqueOpens", "openRate", "uniqueClicks", "clickThroughRate",
                "bounces", "bounceRate", "unsubscribes",
            ],
            rows: (campaigns + [total]).map { campaign in
                [
                    campaign.campaignId, campaign.campaignName ?? "", ReportCell.count(campaign.delivered),
                    ReportCell.count(campaign.uniqueOpens), ReportCell.number(campaign.openRate), ReportCell.count(campaign.uniqueClicks),
                    ReportCell.number(campaign.clickThroughRate), ReportCell.count(campaign.bounces), ReportCell.number(campaign.bounceRate),
                    ReportCell.count(campaign.unsubscribes),
                ]
            }
        )
    }
}
