import Foundation

/// The cart-abandonment report's answer: the period's carts by outcome, and what the abandoned ones held.
public struct CartAbandonmentReportView: Report, Codable, Equatable {
    public let from: Date
    public let to: Date
    /// Carts whose last event is in the period.
    public let carts: Int
    /// Carts an order followed within the window.
    public let converted: Int
    /// Carts no order followed within the window, once it has passed.
    public let abandoned: Int
    /// Carts whose window has not passed yet, without an order so far.
    public let pending: Int
    /// abandoned ÷ (converted + abandoned); null when no cart is decided.
    public let abandonmentRate: Double?
    /// Σ value of the abandoned carts, in baht.
    public let abandonedValue: Double
    /// Abandoned carts that an order closed later, after the window.
    public let recovered: Int
    public let recoveredValue: Double
    /// recovered ÷ abandoned; null without abandoned carts.
    public let recoveryRate: Double?

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(carts, forKey: .carts)
        try container.encode(converted, forKey: .converted)
        try container.encode(abandoned, forKey: .abandoned)
        try container.encode(pending, forKey: .pending)
        try container.encode(abandonmentRate, forKey: .abandonmentRate)  // null, not absent
        try container.encode(abandonedValue, forKey: .abandonedValue)
        try container.encode(recovered, forKey: .recovered)
        try container.encode(recoveredValue, forKey: .recoveredValue)
        try container.encode(recoveryRate, forKey: .recoveryRate)
    }

    public var table: ReportTable {
        ReportTable(
            columns: ["carts", "converted", "abandoned", "pending", "abandonmentRate", "abandonedValue", "recovered", "recoveredValue", "recoveryRate"],
            rows: [[
                ReportCell.count(carts), ReportCell.count(converted), ReportCell.count(abandoned), ReportCell.count(pending),
                ReportCell.number(abandonmentRate), ReportCell.money(abandonedValue), ReportCell.count(recovered),
                ReportCell.money(recoveredValue), ReportCell.number(recoveryRate),
            ]]
        )
    }
}
