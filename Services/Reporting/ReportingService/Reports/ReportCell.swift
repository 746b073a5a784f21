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
