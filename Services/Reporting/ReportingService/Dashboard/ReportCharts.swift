import Foundation
import KinshipCore
import KinshipPrivacy

/// Each report's pictures on its dashboard page, drawn from the same answer the API gives (the table under
/// them carries every number, and the CSV link the same table).
enum ReportCharts {
    typealias Labels = [String: String]

    static func charts(for answer: any Report, labels: Labels) -> [String] {
        switch answer {
        case let report as FunnelReportView: funnel(report, labels)
        case let report as RFMReportView: rfm(report, labels)
        case let report as NPSReportView: nps(report, labels)
        case let report as EmailReportView: email(report, labels)
        case let report as ChannelsReportView: channels(report, labels)
        case let report as SupportReportView: support(report, labels)
        case let report as DemographicsReportView: demographics(report, labels)
        case let report as TrendsReportView: trends(report, labels)
        case let report as CartAbandonmentReportView: cartAbandonment(report, labels)
        case let report as DataMapReportView: dataMap(report, labels)
        // Retention is its table, shaded (`heat`); the overview has its own page.
        default: []
        }
    }

    static func funnel(_ report: FunnelReportView, _ labels: Labels) -> [String] {
        let bars = report.steps.map { step in
            SVGChart.Bar(
                label: step.event, value: Double(step.profiles),
                text: OverviewCards.Kind.count.text(Double(step.profiles)) + (step.conversionFromPrevious.map { " · " + OverviewCards.Kind.rate.text($0) } ?? "")
            )
        }
        return [SVGChart.bars(bars, title: labels["funnel"] ?? "funnel")]
    }

    static func rfm(_ report: RFMReportView, _ labels: Labels) -> [String] {
        // Recency 5 (most recent) at the top, frequency 1 to 5 from the left.
        let cells = report.grid.map { cell in
            SVGChart.Cell(row: 5 - cell.recency, column: cell.frequency - 1, value: cell.revenue, text: OverviewCards.Kind.count.text(Double(cell.profiles)))
        }
        let grid = SVGChart.grid(
            cells, rows: ["5", "4", "3", "2", "1"], columns: ["1", "2", "3", "4", "5"],
            rowTitle: labels["recency"] ?? "recency", columnTitle: labels["frequency"] ?? "frequency", title: labels["rfm"] ?? "rfm"
        )
        let groups = report.groups.map { SVGChart.Bar(label: $0.name, value: $0.revenue, text: OverviewCards.Kind.money.text($0.revenue)) }
        return [grid, SVGChart.bars(groups, title: labels["revenue"] ?? "revenue")]
    }

    static func nps(_ report: NPSReportView, _ labels: Labels) -> [String] {
        let points = report.intervals.map { SVGChart.Point(label: day($0.starts), value: $0.score) }
        return [SVGChart.line(points, title: labels["npsScore"] ?? "NPS")]
    }

    static func email(_ report: EmailReportView, _ labels: Labels) -> [String] {
        let bars = report.campaigns.prefix(20).map { campaign in
            SVGChart.Bar(
                label: campaign.campaignName ?? campaign.campaignId, value: campaign.openRate ?? 0,
                text: OverviewCards.Kind.rate.text(campaign.openRate)
            )
        }
        return [SVGChart.bars(Array(bars), title: labels["openRate"] ?? "open rate")]
    }

    static func channels(_ report: ChannelsReportView, _ labels: Labels) -> [String] {
        let visitors = report.channels.prefix(15).map {
            SVGChart.Bar(label: $0.channel, value: Double($0.visitors), text: OverviewCards.Kind.count.text(Double($0.visitors)))
        }
        let revenue = report.channels.sorted { $0.revenue > $1.revenue }.prefix(15).map {
            SVGChart.Bar(label: $0.channel, value: $0.revenue, text: OverviewCards.Kind.money.text($0.revenue))
        }
        return [SVGChart.bars(Array(visitors), title: labels["visitors"] ?? "visitors"), SVGChart.bars(Array(revenue), title: labels["revenue"] ?? "revenue")]
    }

    static func support(_ report: SupportReportView, _ labels: Labels) -> [String] {
        let bars = (report.categories + report.channels).map {
            SVGChart.Bar(label: $0.value, value: $0.medianResolutionHours ?? 0, text: hours($0.medianResolutionHours))
        }
        return [SVGChart.bars(bars, title: labels["medianResolution"] ?? "median resolution")]
    }

    static func demographics(_ report: DemographicsReportView, _ labels: Labels) -> [String] {
        report.dimensions.map { dimension in
            let bars = dimension.groups.prefix(20).map {
                SVGChart.Bar(label: $0.value, value: Double($0.profiles), text: OverviewCards.Kind.count.text(Double($0.profiles)))
            }
            return SVGChart.bars(Array(bars), title: dimension.name)
        }
    }

    static func trends(_ report: TrendsReportView, _ labels: Labels) -> [String] {
        report.series.prefix(5).map { series in
            let points = report.intervals.indices.map { SVGChart.Point(label: day(report.intervals[$0]), value: Double(series.counts[$0])) }
            return SVGChart.line(points, title: series.value)
        }
    }

    static func cartAbandonment(_ report: CartAbandonmentReportView, _ labels: Labels) -> [String] {
        let bars = [("converted", report.converted), ("abandoned", report.abandoned), ("pending", report.pending), ("recovered", report.recovered)]
            .map { SVGChart.Bar(label: labels[$0.0] ?? $0.0, value: Double($0.1), text: OverviewCards.Kind.count.text(Double($0.1))) }
        return [SVGChart.bars(bars, title: labels["carts"] ?? "carts")]
    }

    /// Keys per data kind and per protection of the personal and sensitive ones: what is held, and how safely.
    static func dataMap(_ report: DataMapReportView, _ labels: Labels) -> [String] {
        let kinds = DataClassification.Kind.allCases.map { kind in
            let count = report.keys.filter { $0.kind == kind }.count
            return SVGChart.Bar(label: labels["kind.\(kind.rawValue)"] ?? kind.rawValue, value: Double(count), text: String(count))
        }
        let personal = report.keys.filter { $0.sensitivity != .none }
        let protection = ["encrypted", "partly encrypted", "clear"].map { name in
            let count = personal.filter { $0.protection == name }.count
            return SVGChart.Bar(label: labels["protection.\(name)"] ?? name, value: Double(count), text: String(count))
        }
        let categories = Set(report.keys.flatMap(\.consentCategories)).sorted().map { category in
            let count = report.keys.filter { $0.consentCategories.contains(category) }.count
            return SVGChart.Bar(label: category, value: Double(count), text: String(count))
        }
        return [
            SVGChart.bars(kinds, title: labels["keysByKind"] ?? "keys by kind"),
            SVGChart.bars(protection, title: labels["personalKeysByProtection"] ?? "personal keys by protection"),
            SVGChart.bars(categories, title: labels["keysByConsent"] ?? "keys by consent category"),
        ]
    }

    static func day(_ date: Date) -> String { String(Timestamp.format(date).prefix(10)) }

    static func hours(_ value: Double?) -> String {
        value.map { String(format: "%.1f h", $0) } ?? "–"
    }
}
