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
