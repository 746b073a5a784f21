import ArgumentParser
import Foundation
import KinshipCore
import KinshipPrivacy

/// `kinship datamap`: the workspace's data map (`GET /v1/reports/data-map` on the reporting service's
/// public API): every trait and property key its events hold, how sensitive it is, and how much of it is
/// encrypted at rest (docs/privacy.md, docs/reporting.md).
struct DataMapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datamap",
        abstract: "Which keys the workspace's events hold, how sensitive each is, and how much of it is encrypted at rest.",
        discussion: """
            Reads KINSHIP_API_KEY (any API key of the workspace) and KINSHIP_REPORTING_URL when the options are not given.

            Examples:
              kinship datamap
              kinship datamap --from 2026-05-01 --to 2026-05-31 --format json
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    @OptionGroup var api: PublicAPIAccess

    @Option(help: "The period's start: a day (2026-05-01, UTC, included) or an ISO-8601 time (default: 30 days before --to).")
    var from: String?

    @Option(help: "The period's end: a day (included) or an ISO-8601 time (excluded) (default: now).")
    var to: String?

    @Option(help: "table (for reading) or json (the API's answer as it came).")
    var format: Format = .table

    func run() async throws {
        let answer = try await api.get(Self.path(from: from, to: to))
        switch format {
        case .json:
            print(String(decoding: answer.body, as: UTF8.self))
        case .table:
            print(DataMapText(try JSONCoding.decode(DataMapReportView.self, from: answer.body)).rendered)
        }
    }

    /// The report's path with the period asked for, each value percent-encoded (`+07:00` stays a plus).
    static func path(from: String?, to: String?) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "+&=")
        let query = [("from", from), ("to", to)].compactMap { name, value in
            value.map { "\(name)=\($0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0)" }
        }
        return "/v1/reports/data-map" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }
}

/// The data map as text: a line on the period and what is exposed, then one row per key.
struct DataMapText {
    let report: DataMapReportView

    init(_ report: DataMapReportView) { self.report = report }

    var rendered: String {
        let exposed = report.keys.filter(\.exposed).count
        var lines = [
            "data map \(Timestamp.format(report.from)) to \(Timestamp.format(report.to)): \(report.keys.count) key(s), \(exposed) exposed"
                + " (personal or sensitive, not all encrypted)",
        ]
        if report.truncated { lines.append("more keys were seen; the least used are left out") }
        guard !report.keys.isEmpty else { return lines.joined(separator: "\n") }
        let table = TextTable(
            header: ["WHERE", "KEY", "KIND", "SENSITIVITY", "VALUES", "ENCRYPTED", "PROTECTION", "EXPOSED", "LOOKS PERSONAL", "FIRST SEEN", "LAST SEEN", "CONSENT"],
            rows: report.keys.map { key in
                [
                    key.place, key.key, key.kind.rawValue, key.sensitivity.rawValue, String(key.values), Self.share(key.encrypted, of: key.values),
                    key.protection, key.exposed ? "yes" : "no", String(key.personalLookingInClear), Timestamp.format(key.firstSeen),
                    Timestamp.format(key.lastSeen), key.consentCategories.joined(separator: " "),
                ]
            },
            alignments: [.left, .left, .left, .left, .right, .right, .left, .left, .right]
        )
        return (lines + [""] + table.lines).joined(separator: "\n")
    }

    /// `12 (40%)`: how many values are encrypted, and their share, rounded down so only all is 100%.
    static func share(_ part: Int, of whole: Int) -> String {
        guard whole > 0 else { return String(part) }
        return "\(part) (\(part * 100 / whole)%)"
    }
}
