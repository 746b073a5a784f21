import Foundation
import Hummingbird
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import KinshipService
import Logging
import Metrics
import PostgresNIO

/// `/v1/reports/{name}`: aggregates over a period (`from`, `to`), JSON or `?format=csv`. Every role may read
/// them, a viewer included: no report names a person. Definitions are in docs/reporting.md.
struct ReportRoutes: Sendable {
    let access: APIKeyAuthenticator
    let database: PostgresClient
    let keyring: MasterKeyring

    /// A report run on the pool (on one connection, or on several at once where its parts are independent),
    /// with the request's parameters parsed.
    typealias Runner = @Sendable (ReportPeriod, Request, ReportScope, PostgresClient, Logger) async throws -> any Report

    /// Whose data a report reads: the workspace, and the keyring that opens sealed values a report groups
    /// by (a sensitive trait, demographics) without showing them to anyone.
    struct ReportScope: Sendable {
        let workspaceID: UUID
        let keyring: MasterKeyring
    }

    /// Every report by its name in the path.
    static let reports: [String: Runner] = [
        "overview": { period, request, scope, database, logger in
            let series = request.uri.queryParameters.get("series")
            guard series == nil || series == "day" else { throw KinshipError.badRequest(.invalidParameter, "series must be day.") }
            return try await OverviewReport.run(period, daily: series == "day", workspaceID: scope.workspaceID, using: database, logger: logger)
        },
        "funnel": onOneConnection { period, request, scope, connection, logger in
            let steps = (request.uri.queryParameters.get("steps") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            return try await FunnelReport.run(
                period, steps: steps, windowSeconds: try window(request), breakdownProperty: request.uri.queryParameters.get("breakdown"),
                workspaceID: scope.workspaceID, on: connection, logger: logger
            )
        },
        "nps": onOneConnection { period, request, scope, connection, logger in
            try await NPSReport.run(period, interval: try interval(request, default: .month), workspaceID: scope.workspaceID, on: connection, logger: logger)
        },
        "email": onOneConnection { period, _, scope, connection, logger in
            try await EmailReport.run(period, workspaceID: scope.workspaceID, on: connection, logger: logger)
        },
        "channels": onOneConnection { period, _, scope, connection, logger in
            try await ChannelsReport.run(period, workspaceID: scope.workspaceID, on: connection, logger: logger)
        },
        "support": onOneConnection { period, _, scope, connection, logger in
            try await SupportReport.run(period, workspaceID: scope.workspaceID, on: connection, logger: logger)
        },
        "cart-abandonment": onOneConnection { period, _, scope, connection, logger in
            try await CartAbandonmentReport.run(period, workspaceID: scope.workspaceID, on: connection, logger: logger)
        },
        "trends": onOneConnection { period, request, scope, connection, logger in
            try await TrendsReport.run(
                period, interval: try interval(request, default: .day), event: request.uri.queryParameters.get("event"),
                breakdownProperty: request.uri.queryParameters.get("breakdown"), workspaceID: scope.workspaceID, on: connection, logger: logger
            )
        },
        "rfm": onOneConnection { _, _, scope, connection, logger in
            try await RFMReport.run(workspaceID: scope.workspaceID, on: connection, logger: logger)
        },
        "demographics": onOneConnection { period, request, scope, connection, logger in
            let named = request.uri.queryParameters.get("traits").map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            if let named, named.isEmpty || named.count > 10 || named.contains(where: { $0.isEmpty || $0.count > 100 }) {
                throw KinshipError.badRequest(.invalidParameter, "traits must name 1 to 10 traits, separated by commas.")
            }
            return try await DemographicsReport.run(
                period, traits: named ?? DemographicsReport.defaultTraits, workspaceID: scope.workspaceID, keyring: scope.keyring,
                on: connection, logger: logger
            )
        },
        "data-map": onOneConnection { period, _, scope, connection, logger in
            try await DataMapReport.run(period, workspaceID: scope.workspaceID, on: connection, logger: logger)
        },
        "retention": onOneConnection { period, request, scope, connection, logger in
            let parameters = request.uri.queryParameters
            return try await RetentionReport.run(
                period, interval: try interval(request, default: .week), cohortEvent: parameters.get("cohort_event"),
                returnEvent: parameters.get("return_event"), workspaceID: scope.workspaceID, on: connection, logger: logger
            )
        },
    ]

    /// A report that runs on one connection of the pool.
    static func onOneConnection(
        _ run: @escaping @Sendable (ReportPeriod, Request, ReportScope, PostgresConnection, Logger) async throws -> any Report
    ) -> Runner {
        { period, request, scope, database, logger in
            try await database.withConnection { connection in try await run(period, request, scope, connection, logger) }
        }
    }

    func add(to router: Router<KinshipRequestContext>) {
        router.get("v1/reports/:name") { request, context in try await report(request, context) }
    }

    private func report(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        let key = try await access.authenticate(request, context, requiring: .viewer)
        let name = context.parameters.get("name") ?? ""
        let format = request.uri.queryParameters.get("format") ?? "json"
        guard format == "json" || format == "csv" else { throw KinshipError.badRequest(.invalidParameter, "format must be json or csv.") }
        let answer = try await Self.answer(name, request, key: key, database: database, keyring: keyring, logger: context.logger)
        if format == "csv" { return try CSVResponse.make(answer.table, filename: "\(name).csv") }
        return try .json(encoding: answer)
    }

    /// Report `name` with the request's parameters, for `key`'s workspace: the API's answer and the
    /// dashboard's page both come from here.
    static func answer(
        _ name: String, _ request: Request, key: APIKey, database: PostgresClient, keyring: MasterKeyring, logger: Logger
    ) async throws -> any Report {
        guard let runner = reports[name] else {
            throw KinshipError.notFound("No such report; there are \(reports.keys.sorted().joined(separator: ", ")).")
        }
        // A breakdown by any property can single people out (a customer id, an unsealed e-mail): not for viewers.
        if request.uri.queryParameters.get("breakdown") != nil, !key.role.includes(.analyst) {
            throw KinshipError(code: .forbidden, status: .forbidden, message: "A breakdown by a property needs an analyst or admin key.")
        }
        let (from, to) = try PeriodParameters.period(request)
        let started = ContinuousClock.now
        let answer = try await runner(ReportPeriod(from: from, to: to), request, ReportScope(workspaceID: key.workspaceID, keyring: keyring), database, logger)
        Timer(label: "kinship_reporting_report_seconds", dimensions: [("report", name)]).record(duration: ContinuousClock.now - started)
        return answer
    }

    /// `interval=day|week|month`.
    static func interval(_ request: Request, default defaultInterval: ReportInterval) throws -> ReportInterval {
        guard let text = request.uri.queryParameters.get("interval") else { return defaultInterval }
        guard let interval = ReportInterval(rawValue: text) else { throw KinshipError.badRequest(.invalidParameter, "interval must be day, week or month.") }
        return interval
    }

    /// `window=7d`, `24h`, `30m` or seconds; 7 days when absent.
    static func window(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters.get("window") else { return 7 * 86_400 }
        let units: [Character: Int] = ["d": 86_400, "h": 3600, "m": 60, "s": 1]
        let (number, unit) = text.last.flatMap { units[$0] }.map { (text.dropLast(), $0) } ?? (Substring(text), 1)
        guard let amount = Int(number), amount > 0, amount <= 366 * 86_400 / unit else {
            throw KinshipError.badRequest(.invalidParameter, "window must be a positive duration such as 7d, 24h, 30m or seconds.")
        }
        return amount * unit
    }
}
