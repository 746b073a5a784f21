import KinshipCore

/// Money as an integer count of hundredths (satang for baht), so sums and differences are exact.
enum Satang {
    static func of(_ value: JSONValue?) -> Int? {
        guard let number = value?.numberValue, number.isFinite else { return nil }
        return Int((number * 100).rounded())
    }

    static func json(_ satang: Int) -> JSONValue {
        .number(Double(satang) / 100)
    }
}
