import Foundation
import KinshipCore

// Arithmetic and formatting every benchmark's figures share.

extension Duration {
    /// The duration in milliseconds, fractions included.
    var inMilliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}

/// `count` things in `duration`, per second; 0 for an empty duration.
func perSecond(_ count: Int, _ duration: Duration) -> Double {
    let seconds = duration.inMilliseconds / 1000
    return seconds > 0 ? Double(count) / seconds : 0
}

/// Nearest rank over sorted values; 0 when there are none.
func percentile(_ fraction: Double, of sorted: [Double]) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let rank = Int((fraction * Double(sorted.count)).rounded(.up))
    return sorted[min(max(rank, 1), sorted.count) - 1]
}

/// 12345.6 as "12,346": thousands grouped, whatever the machine's locale.
func grouped(_ value: Double) -> String {
    grouped(Int(value.rounded()))
}

func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var result = ""
    for (index, digit) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
        result.append(digit)
    }
    return (value < 0 ? "-" : "") + result
}

extension TextTable {
    /// A benchmark's result table: rows of measure, result, goal and verdict under a header naming them,
    /// the results right-aligned so their figures line up.
    static func figures(_ rows: [[String]]) -> TextTable {
        TextTable(header: ["measure", "result", "goal", ""], rows: rows, alignments: [.left, .right], gutter: 3)
    }
}
