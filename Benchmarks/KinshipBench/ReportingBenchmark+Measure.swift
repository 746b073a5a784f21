import Foundation
import KinshipCore
import Logging
import PostgresNIO
import ReportingService

/// One report's (or the reference's) runs, one after another on one connection.
struct ReportTiming: Sendable {
    let name: String
    /// Each run's time, sorted.
    let runsMs: [Double]
    /// Rows of the last run's table form (for the reference, the rows it counted).
    let rows: Int
    /// The statement timeout, when it cancelled a run: that run ends the report's runs, and its time is at
    /// least this (not in `runsMs`).
    var cancelledAfterMs: Double?

    /// With a cancelled run, at least the timeout.
    var p50: Double { cancelledAfterMs.map { max($0, percentile(0.5, of: runsMs)) } ?? percentile(0.5, of: runsMs) }
    var p99: Double { cancelledAfterMs ?? percentile(0.99, of: runsMs) }
}

/// Everything the reporting benchmark measured, in the order it measured it.
struct ReportingMeasures: Sendable {
    let reference: ReportTiming
    let reports: [ReportTiming]
    /// Events stored in the period, and what the overview counted: they must agree.
    let periodEvents: Int
    let overviewEvents: Int
    /// The profile page's events query, one profile after another: each lookup's time, sorted, and the events read.
    let profileEventsMs: [Double]
    let profileEventsRead: Int
}

extension ReportingBenchmark {
    /// The twelve reports with the parameters the dashboard's defaults would send.
    static let reports: [(name: String, run: @Sendable (ReportPeriod, UUID, PostgresConnection, Logger) async throws -> any Report)] = [
        ("overview", { try await OverviewReport.run($0, workspaceID: $1, on: $2, logger: $3) }),
        ("funnel", {
            try await FunnelReport.run(
                $0, steps: ["Product Viewed", "Product Added", "Checkout Started", "Order Completed"], windowSeconds: 7 * 86_400,
                workspaceID: $1, on: $2, logger: $3
            )
        }),
        ("nps", { try await NPSReport.run($0, interval: .month, workspaceID: $1, on: $2, logger: $3) }),
        ("email", { try await EmailReport.run($0, workspaceID: $1, on: $2, logger: $3) }),
        ("channels", { try await ChannelsReport.run($0, workspaceID: $1, on: $2, logger: $3) }),
        ("support", { try await SupportReport.run($0, workspaceID: $1, on: $2, logger: $3) }),
        ("cart-abandonment", { try await CartAbandonmentReport.run($0, workspaceID: $1, on: $2, logger: $3) }),
        ("trends", { try await TrendsReport.run($0, interval: .day, workspaceID: $1, on: $2, logger: $3) }),
        ("rfm", { _, w, connection, logger in try await RFMReport.run(workspaceID: w, on: connection, logger: logger) }),
        ("demographics", { try await DemographicsReport.run($0, workspaceID: $1, on: $2, logger: $3) }),
        ("retention", { try await RetentionReport.run($0, interval: .week, workspaceID: $1, on: $2, logger: $3) }),
        ("data-map", { try await DataMapReport.run($0, workspaceID: $1, on: $2, logger: $3) }),
    ]

    /// The reference, then each report `reportRuns` times, then the profile lookups: all on one connection.
    func measure(_ workspace: DemoShopWorkspace, _ period: ReportPeriod, _ database: PostgresClient) async throws -> ReportingMeasures {
        let w = workspace.workspaceID
        let runs = configuration.reportRuns
        let lookups = configuration.profileLookups
        let logger = self.logger
        return try await database.withConnection { connection in
            let periodEvents = try await connection.query(
                "SELECT count(*)::int FROM events WHERE workspace_id = \(w) AND event_time >= \(period.from) AND event_time < \(period.to)",
                logger: logger
            ).decode(Int.self).collectAll().first ?? 0

            progress("reference: one pass over the period's resolved events, \(runs) times")
            var referenceMs: [Double] = []
            var referenceRows = 0
            for _ in 0..<runs {
                let start = ContinuousClock.now
                referenceRows = try await connection.query(
                    """
                    SELECT count(*)::int FROM events e
                    JOIN event_profiles ep ON ep.workspace_id = e.workspace_id AND ep.received_at = e.received_at AND ep.message_id = e.message_id
                    WHERE e.workspace_id = \(w) AND e.event_time >= \(period.from) AND e.event_time < \(period.to)
                    """, logger: logger
                ).decode(Int.self).collectAll().first ?? 0
                referenceMs.append((.now - start).inMilliseconds)
            }
            let reference = ReportTiming(name: "reference", runsMs: referenceMs.sorted(), rows: referenceRows)

            var reports: [ReportTiming] = []
            var overviewEvents = 0
            let (budget, timeout) = (Double(configuration.reportBudgetSeconds) * 1000, configuration.reportTimeoutSeconds)
            try await connection.query("SELECT set_config('statement_timeout', \(String(timeout * 1000)), false)", logger: logger)
            for (name, run) in Self.reports {
                var times: [Double] = []
                var rows = 0
                var timedOut = false
                while times.count < runs && times.reduce(0, +) < budget {
                    let start = ContinuousClock.now
                    let view: any Report
                    do {
                        view = try await run(period, w, connection, logger)
                    } catch let error as PSQLError where error.serverInfo?[.sqlState] == "57014" {
                        timedOut = true
                        break
                    }
                    times.append((.now - start).inMilliseconds)
                    rows = view.table.rows.count
                    if let overview = view as? OverviewReportView { overviewEvents = overview.events.current }
                }
                let timing = ReportTiming(name: name, runsMs: times.sorted(), rows: rows, cancelledAfterMs: timedOut ? Double(timeout) * 1000 : nil)
                progress(timedOut ? "  \(name): cancelled after \(timeout) s"
                    : String(format: "  %@: %d runs, p50 %.0f ms, max %.0f ms, %d rows", name, times.count, timing.p50, timing.runsMs.last ?? 0, rows))
                reports.append(timing)
            }
            try await connection.query("SELECT set_config('statement_timeout', '0', false)", logger: logger)

            progress("profile events: the newest 20 events of \(lookups) random profiles, one after another")
            let ids = try await connection.query(
                "SELECT id FROM profiles WHERE workspace_id = \(w) AND merged_into IS NULL", logger: logger
            ).decode(UUID.self).collectAll()
            var lookupMs: [Double] = []
            var read = 0
            for _ in 0..<lookups {
                guard let id = ids.randomElement() else { break }
                let start = ContinuousClock.now
                let page = try await ProfileEvents.page(
                    of: id, in: w, limit: 20, after: nil, opener: workspace.sealing, on: connection, logger: logger
                )
                lookupMs.append((.now - start).inMilliseconds)
                read += page.items.count
            }
            return ReportingMeasures(
                reference: reference, reports: reports, periodEvents: periodEvents, overviewEvents: overviewEvents,
                profileEventsMs: lookupMs.sorted(), profileEventsRead: read
            )
        }
    }
}
