import Foundation

/// The overview report as the dashboard's KPI cards: each figure of the period, the previous period's, and
/// the change between them, written for people (thousands separated, rates as percentages).
enum OverviewCards {
    static func cards(_ report: OverviewReportView, labels: [String: String]) -> [[String: String]] {
        let rows: [(String, Double?, Double?, Kind)] = [
            ("events", Double(report.events.current), Double(report.events.previous), .count),
            ("activeProfiles", Double(report.activeProfiles.current), Double(report.activeProfiles.previous), .count),
            ("identifiedShare", report.identifiedShare.current, report.identifiedShare.previous, .rate),
            ("orders", Double(report.orders.current), Double(report.orders.previous), .count),
            ("revenue", report.revenue.current, report.revenue.previous, .money),
            ("averageOrderValue", report.averageOrderValue.current, report.averageOrderValue.previous, .money),
            ("conversionRate", report.conversionRate.current, report.conversionRate.previous, .rate),
        ]
        return rows.map { name, current, previous, kind in
            var card = ["label": labels[name] ?? name, "current": kind.text(current), "previous": kind.text(previous), "change": "", "direction": ""]
            if let current, let previous, previous != 0 {
                let change = (current - previous) / abs(previous)
                card["change"] = (change >= 0 ? "▲ " : "▼ ") + Kind.rate.text(abs(change))
                card["direction"] = change >= 0 ? "up" : "down"
            }
            return card
        }
    }

    enum Kind {
        case count, money, rate

        func text(_ value: Double?) -> String {
            guard let value else { return "–" }
            let formatter = NumberFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.numberStyle = .decimal
            formatter.usesGroupingSeparator = true
            formatter.groupingSeparator = ","
            switch self {
            case .count: formatter.maximumFractionDigits = 0
            case .money: formatter.minimumFractionDigits = 2; formatter.maximumFractionDigits = 2
            case .rate: formatter.maximumFractionDigits = 1; return (formatter.string(from: NSNumber(value: value * 100)) ?? "") + "%"
            }
            return formatter.string(from: NSNumber(value: value)) ?? ""
        }
    }
}
