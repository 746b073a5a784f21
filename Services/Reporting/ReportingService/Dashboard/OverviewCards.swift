import Foundation

/// The overview report as the dashboard's KPI cards: each figure of the period, the previous period's, and
/// the change between them, written for people (thousands separated, rates as percentages).
enum OverviewCards {
    /// Revenue per day, the overview's one large chart.
    static func revenueChart(_ report: OverviewReportView, labels: [String: String]) -> String {
        SVGChart.line((report.days ?? []).map { SVGChart.Point(label: ReportCharts.day($0.starts), value: $0.revenue) }, title: labels["revenuePerDay"] ?? "revenue")
    }

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
        let days = report.days ?? []
        // Each card's day-by-day line, where a day has the figure (identified share and conversion need the
        // period's distinct people, which days do not add up to).
        let series: [String: (OverviewReportView.Day) -> Double?] = [
            "events": { Double($0.events) }, "activeProfiles": { Double($0.activeProfiles) }, "orders": { Double($0.orders) },
            "revenue": { $0.revenue }, "averageOrderValue": { $0.orders > 0 ? $0.revenue / Double($0.orders) : nil },
        ]
        return rows.map { name, current, previous, kind in
            var card = ["label": labels[name] ?? name, "current": kind.text(current), "previous": kind.text(previous), "change": "", "direction": ""]
            if let value = series[name] {
                card["spark"] = SVGChart.line(days.map { SVGChart.Point(label: ReportCharts.day($0.starts), value: value($0)) }, title: card["label"]!, compact: true)
            }
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
