import Foundation
import KinshipCore
import ReportingService

/// The reporting benchmark's figures, rendered as a table for people and one JSON line for tools.
struct ReportingBenchResult: Sendable {
    static let reportP99GoalMs = 1000.0
    static let profileEventsP99GoalMs = 20.0
    static let rollupLagGoalSeconds = 5.0
    static let dashboardPageGoalMs = 1000.0

    let configuration: ReportingBenchConfiguration
    let load: ShopLoad
    let setUp: TraitsSetUp
    /// The set-up's rollup of the loaded shop: rows written and how long it took.
    let rollup: (rows: Int, duration: Duration)
    let period: ReportPeriod
    let measures: ReportingMeasures
    /// The benchmark process over the measures (not the set-up): its peak memory, the CPU shares.
    let usage: MeasureUsage
    let dashboard: DashboardMeasure
    let lag: RollupLagMeasure

    var residentMB: Double { Double(usage.peakResidentKB) / 1024 }
    var worstReport: ReportTiming? { measures.reports.max { $0.p99 < $1.p99 } }
    var profileEventsP50: Double { percentile(0.5, of: measures.profileEventsMs) }
    var profileEventsP99: Double { percentile(0.99, of: measures.profileEventsMs) }

    /// A report that counts other events than were stored is not timing the work it should.
    var problems: [String] {
        var problems: [String] = []
        let m = measures
        if m.overviewEvents != m.periodEvents {
            problems.append("the overview counted \(grouped(m.overviewEvents)) events in the period, the table holds \(grouped(m.periodEvents))")
        }
        if m.reference.rows == 0 { problems.append("the period holds no resolved event") }
        if dashboard.profileLookups.failed > 0 {
            problems.append("\(grouped(dashboard.profileLookups.failed)) profile lookups failed or answered other than 200")
        }
        if lag.missing > 0 { problems.append("\(grouped(lag.missing)) of \(grouped(lag.events)) events never got their rollup row with a profile") }
        return problems
    }

    var table: String {
        let c = configuration
        let m = measures
        let ms = { (value: Double) in String(format: "%.0f ms", value) }
        let referenceP50 = m.reference.p50
        let day = { (date: Date) in String(Timestamp.format(date).prefix(10)) }
        var lines = [
            "Reporting benchmark: the reporting library's twelve reports over a demo shop stored as ingestion, identity and segmentation "
                + "leave it, durable cluster, \(ProcessInfo.processInfo.activeProcessorCount) cores shared with Postgres",
            "shop: \(grouped(c.customers)) customers over \(c.days) days (seed \(c.seed)): \(grouped(load.profiles)) profiles, \(grouped(load.events)) events "
                + "(\(grouped(load.skipped)) visitors' messages and duplicates left out)",
            "period: \(day(period.from)) to \(day(period.to)) (exclusive), the shop's whole span: \(grouped(m.periodEvents)) events; "
                + "each report run \(c.reportRuns) times one after another on one connection",
            "",
        ]
        let atLeast = { (report: ReportTiming, value: Double) in (report.cancelledAfterMs == nil ? "" : "≥ ") + ms(value) }
        var rows = m.reports.map { report in
            [report.name, report.cancelledAfterMs == nil ? grouped(report.runsMs.count) : "\(report.runsMs.count) + 1 cancelled",
             atLeast(report, report.p50), atLeast(report, report.p99),
             referenceP50 > 0 ? String(format: "%@%.1f×", report.cancelledAfterMs == nil ? "" : "≥ ", report.p50 / referenceP50) : "",
             grouped(report.rows), "< \(grouped(Self.reportP99GoalMs)) ms", report.p99 < Self.reportP99GoalMs ? "met" : "missed"]
        }
        rows.append(["reference: count(*) of events ⋈ event_profiles", grouped(m.reference.runsMs.count), ms(referenceP50), ms(m.reference.p99),
                     "1.0×", grouped(m.reference.rows), "", ""])
        lines += TextTable(
            header: ["report", "runs", "p50", "p99 (= max)", "p50 / reference", "rows", "goal", ""], rows: rows,
            alignments: [.left, .right, .right, .right, .right, .right], gutter: 3
        ).lines
        lines.append("")
        lines += TextTable(
            header: ["dashboard page", "fetches", "p50", "max", "bytes", "goal", ""],
            rows: dashboard.pages.map { page in
                [page.name, grouped(page.runsMs.count), ms(page.p50), ms(page.max), grouped(page.bytes), "< \(grouped(Self.dashboardPageGoalMs)) ms",
                 page.max < Self.dashboardPageGoalMs ? "met" : "missed"]
            },
            alignments: [.left, .right, .right, .right, .right], gutter: 3
        ).lines
        lines.append("")
        var figures: [[String]] = []
        if let worst = worstReport {
            figures.append(["worst report p99 (\(worst.name))", ms(worst.p99), "< \(grouped(Self.reportP99GoalMs)) ms",
                            worst.p99 < Self.reportP99GoalMs ? "met" : "missed"])
        }
        figures += [
            ["profile events, newest 20, p50", String(format: "%.1f ms", profileEventsP50), "", ""],
            ["profile events, newest 20, p99", String(format: "%.1f ms", profileEventsP99), "< \(Int(Self.profileEventsP99GoalMs)) ms (database part)",
             profileEventsP99 < Self.profileEventsP99GoalMs ? "met" : "missed"],
            [String(format: "profile 360 over HTTP at %d/s, p50", dashboard.profileLookups.rate), String(format: "%.1f ms", dashboard.profileLookups.p50), "", ""],
            [String(format: "profile 360 over HTTP at %d/s, p90", dashboard.profileLookups.rate), String(format: "%.1f ms", dashboard.profileLookups.p90), "", ""],
            [String(format: "profile 360 over HTTP at %d/s, p99", dashboard.profileLookups.rate), String(format: "%.1f ms", dashboard.profileLookups.p99),
             "< \(Int(Self.profileEventsP99GoalMs)) ms", dashboard.profileLookups.p99 < Self.profileEventsP99GoalMs ? "met" : "missed"],
            [String(format: "profile 360 over HTTP at %d/s, max", dashboard.profileLookups.rate), String(format: "%.1f ms", dashboard.profileLookups.max), "", ""],
            ["bench RSS, peak", String(format: "%.0f MB", residentMB), "", ""],
            [String(format: "rollups behind %@ events/s, p50", grouped(lag.targetRate)), String(format: "%.2f s", lag.lagP50), "", ""],
            [String(format: "rollups behind %@ events/s, p99", grouped(lag.targetRate)), String(format: "%.2f s", lag.lagP99),
             "< \(Int(Self.rollupLagGoalSeconds)) s", lag.lagP99 < Self.rollupLagGoalSeconds ? "met" : "missed"],
            ["rollups behind, max", String(format: "%.2f s", lag.lagMax), "", ""],
            ["rollups caught up after the last commit", String(format: "%.2f s", lag.catchUp), "", ""],
        ]
        lines += TextTable.figures(figures).lines
        lines += [
            "",
            String(format: "set-up (not measured): load %.1f s (%@ events/s by COPY); %@ profiles evaluated and %@ scored by RFM in %.1f s",
                   load.duration.inMilliseconds / 1000, grouped(perSecond(load.events, load.duration)), grouped(setUp.evaluated),
                   grouped(setUp.rfmScored), setUp.duration.inMilliseconds / 1000),
            String(format: "set-up (not measured): the loaded shop rolled up into report_events, %@ rows in %.1f s",
                   grouped(rollup.rows), rollup.duration.inMilliseconds / 1000),
            "reports: exact SQL over the rollup report_events (one narrow row per event), the raw tables only for a breakdown by a "
                + "property; rfm reads no events (the last RFM scoring in segment_profiles)",
            String(format: "rollup lag: %@ events at %@ events/s (%.0f achieved) stored as ingestion does, through identity's consumer and "
                   + "reporting's rollup consumers in this process; every 250 ms, the age of the oldest committed event without its rollup "
                   + "row and profile (%d samples)", grouped(lag.events), grouped(lag.targetRate), lag.achievedRate, lag.samples),
            "runs: \(c.reportRuns) of each report, fewer once its runs took \(c.reportBudgetSeconds) s; a run is cancelled after "
                + "\(c.reportTimeoutSeconds) s (statement_timeout), its time then at least that (≥); p99 of fewer than 100 runs is nearest rank, "
                + "the slowest run",
            "profile events: ProfileEvents.page (limit 20, sealed values opened) for \(grouped(m.profileEventsMs.count)) random profiles, one after "
                + "another, \(grouped(m.profileEventsRead)) events read: the database part of the profile page only, not its "
                + "record, its HTTP and not at 200 requests/s",
            "dashboard: the release identity, segmentation and reporting as child processes; an admin signed in through the form; each "
                + "page fetched \(c.pageRuns) times one after another over the period's days, request to last byte; max is the slowest fetch",
            "profile 360: GET /v1/profiles/{id} of \(grouped(dashboard.profileLookups.ms.count)) random profiles as an analyst through the same "
                + "services, open loop at \(dashboard.profileLookups.rate)/s (\(String(format: "%.0f", dashboard.profileLookups.achievedRate)) achieved), "
                + "each timed from when it was due to its last byte, after \(c.profileWarmUpSeconds) s of the same load untimed",
            "measures: CPU in cores (\(usage.cpu.summary))",
        ]
        let problems = self.problems
        if !problems.isEmpty {
            lines.append("")
            lines.append("NOT VALID:")
            lines += problems.map { "  - \($0)" }
        }
        return lines.joined(separator: "\n")
    }

    /// One JSON object; every key names its unit. Each report gives `<name>_p50_ms` and `<name>_p99_ms`.
    func jsonLine() throws -> String {
        func round(_ value: Double, _ places: Double = 100) -> Double { (value * places).rounded() / places }
        let m = measures
        var figures: [String: JSONValue] = [
            "customers": .number(Double(configuration.customers)), "days": .number(Double(configuration.days)),
            "profiles": .number(Double(load.profiles)), "events": .number(Double(load.events)),
            "period_events": .number(Double(m.periodEvents)), "report_runs": .number(Double(configuration.reportRuns)),
            "load_s": .number(round(load.duration.inMilliseconds / 1000)), "set_up_s": .number(round(setUp.duration.inMilliseconds / 1000)),
            "reference_ms": .number(round(m.reference.p50, 10)), "reference_p99_ms": .number(round(m.reference.p99, 10)),
            "worst_report_p99_ms": .number(round(worstReport?.p99 ?? 0, 10)),
            "reports_missing_goal": .number(Double(m.reports.count(where: { $0.p99 >= Self.reportP99GoalMs }))),
            "reports_cancelled": .number(Double(m.reports.count(where: { $0.cancelledAfterMs != nil }))),
            "profile_events_lookups": .number(Double(m.profileEventsMs.count)),
            "profile_events_p50_ms": .number(round(profileEventsP50)), "profile_events_p99_ms": .number(round(profileEventsP99)),
            "rss_mb": .number(residentMB.rounded()), "bench_cores": .number(round(usage.cpu.service)),
        ]
        figures["profile_360_rate_per_s"] = .number(round(dashboard.profileLookups.achievedRate, 1))
        figures["profile_360_p50_ms"] = .number(round(dashboard.profileLookups.p50))
        figures["profile_360_p90_ms"] = .number(round(dashboard.profileLookups.p90))
        figures["profile_360_p99_ms"] = .number(round(dashboard.profileLookups.p99))
        figures["profile_360_max_ms"] = .number(round(dashboard.profileLookups.max))
        figures["dashboard_slowest_page_ms"] = .number(round(dashboard.slowest?.max ?? 0, 10))
        figures["dashboard_pages_missing_goal"] = .number(Double(dashboard.pages.count(where: { $0.max >= Self.dashboardPageGoalMs })))
        for page in dashboard.pages {
            let key = page.name.replacingOccurrences(of: "reports/", with: "").replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: " ", with: "_")
            figures["dashboard_\(key)_max_ms"] = .number(round(page.max, 10))
        }
        figures["rollup_set_up_s"] = .number(round(rollup.duration.inMilliseconds / 1000))
        figures["rollup_rate_events_per_s"] = .number(round(lag.achievedRate, 1))
        figures["rollup_lag_p50_s"] = .number(round(lag.lagP50))
        figures["rollup_lag_p99_s"] = .number(round(lag.lagP99))
        figures["rollup_lag_max_s"] = .number(round(lag.lagMax))
        figures["rollup_catch_up_s"] = .number(round(lag.catchUp))
        figures["rollup_missing"] = .number(Double(lag.missing))
        if let postgres = usage.cpu.postgres { figures["postgres_cores"] = .number(round(postgres)) }
        for report in m.reports {
            let key = report.name.replacingOccurrences(of: "-", with: "_")
            figures["\(key)_p50_ms"] = .number(round(report.p50, 10))
            figures["\(key)_p99_ms"] = .number(round(report.p99, 10))
            figures["\(key)_runs"] = .number(Double(report.runsMs.count))
            if report.cancelledAfterMs != nil { figures["\(key)_cancelled"] = .bool(true) }
        }
        return JSONValue.object(figures).serialized()
    }
}
