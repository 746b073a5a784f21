import Foundation

/// The overview's answer: each figure for the period and the one before it.
public struct OverviewReportView: Report, Codable, Equatable {
    public let from: Date
    public let to: Date
    /// Stored events of any type in the period.
    public let events: PeriodComparison<Int>
    /// Distinct profiles with an event in the period.
    public let activeProfiles: PeriodComparison<Int>
    /// Of the active profiles, the fraction with a user id or an e-mail; null without active profiles.
    public let identifiedShare: PeriodComparison<Double?>
    /// Standing orders placed in the period.
    public let orders: PeriodComparison<Int>
    /// Those orders' totals net of their refunds, in baht.
    public let revenue: PeriodComparison<Double>
    /// What refunds took off those orders' totals, in baht.
    public let refunded: PeriodComparison<Double>
    /// Revenue ÷ orders; null without orders.
    public let averageOrderValue: PeriodComparison<Double?>
    /// Active profiles with an order in the period ÷ active profiles; null without active profiles.
    public let conversionRate: PeriodComparison<Double?>
    /// With `series=day`: each UTC day of the period (its first and last may be cut by the period).
    public let days: [Day]?

    public struct Day: Codable, Sendable, Equatable {
        public let starts: Date
        public let events: Int
        public let activeProfiles: Int
        public let orders: Int
        /// Net of refunds, in baht.
        public let revenue: Double
    }

    public var table: ReportTable {
        func row(_ name: String, _ figure: PeriodComparison<Int>) -> [String] {
            [name, ReportCell.count(figure.current), ReportCell.count(figure.previous)]
        }
        func row(_ name: String, money figure: PeriodComparison<Double>) -> [String] {
            [name, ReportCell.money(figure.current), ReportCell.money(figure.previous)]
        }
        func row(_ name: String, money figure: PeriodComparison<Double?>) -> [String] {
            [name, ReportCell.money(figure.current), ReportCell.money(figure.previous)]
        }
        func row(_ name: String, rate figure: PeriodComparison<Double?>) -> [String] {
            [name, ReportCell.number(figure.current), ReportCell.number(figure.previous)]
        }
        return ReportTable(columns: ["metric", "current", "previous"], rows: [
            row("events", events),
            row("activeProfiles", activeProfiles),
            row("identifiedShare", rate: identifiedShare),
            row("orders", orders),
            row("revenue", money: revenue),
            row("refunded", money: refunded),
            row("averageOrderValue", money: averageOrderValue),
            row("conversionRate", rate: conversionRate),
        ])
    }
}
