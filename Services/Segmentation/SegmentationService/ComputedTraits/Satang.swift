import KinshipCore

/// Money as an integer count of hundredths (satang for baht), so sums and differences are exact.
///
/// Values come from anyone holding a write key, so nothing here may trap: amounts beyond a billion baht
/// are not money (nil), quantities are whole numbers from 0 to 10,000, and sums saturate instead of
/// overflowing.
enum Satang {
    /// The most an amount may be, in baht, to count as money.
    static let largestAmount = 1e9
    /// The most units one line may count.
    static let largestQuantity = 10_000

    static func of(_ value: JSONValue?) -> Int? {
        guard let number = value?.numberValue, number.isFinite, abs(number) <= largestAmount else { return nil }
        return Int((number * 100).rounded())
    }

    /// A product line's quantity: its whole part within 0...10,000; 1 when it has none.
    static func quantity(_ value: JSONValue?) -> Int {
        guard let number = value?.numberValue, number.isFinite else { return 1 }
        return Int(min(max(number.rounded(.towardZero), 0), Double(largestQuantity)))
    }

    /// `a + b`, held at the largest or smallest Int rather than overflowing.
    static func add(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : sum
    }

    static func json(_ satang: Int) -> JSONValue {
        .number(Double(satang) / 100)
    }
}
