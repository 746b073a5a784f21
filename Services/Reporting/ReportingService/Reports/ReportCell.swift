import Foundation
import KinshipCore

/// How a report writes its values into table cells, the same way in every report: counts as integers,
/// money with two decimals, rates and other measures as Swift writes a Double, times as the JSON writes
/// them, and a missing value empty.
enum ReportCell {
    static func count(_ value: Int) -> String { String(value) }

    static func money(_ value: Double) -> String { String(format: "%.2f", value) }

    static func money(_ value: Double?) -> String { value.map(money) ?? "" }

    static func number(_ value: Double?) -> String { value.map { String($0) } ?? "" }

    static func time(_ value: Date) -> String { Timestamp.format(value) }
}

/// Arithmetic every report does the same way.
enum ReportMath {
    /// `numerator ÷ denominator`, or nil when the denominator is 0 (a rate of nothing is unknown, not 0).
    static func rate(_ numerator: Int, of denominator: Int) -> Double? {
        denominator == 0 ? nil : Double(numerator) / Double(denominator)
    }

    /// Baht from satang: the database sums money as integer hundredths, so sums are exact.
    static func baht(_ satang: Int) -> Double { Double(satang) / 100 }

    /// `satang ÷ count` in baht, rounded to the satang (half away from zero), as `average_order_value` is.
    static func averageBaht(_ satang: Int, per count: Int) -> Double? {
        count == 0 ? nil : (Double(satang) / Double(count)).rounded() / 100
    }
}
