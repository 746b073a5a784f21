import Foundation
import Logging
import PostgresNIO

/// The workspace's buyers on the recency × frequency grid and in their named RFM groups, as segmentation
/// last scored them (docs/reporting.md).
public enum RFMReport {
    /// RFM scores describe the buyers now (segmentation refreshes them every few minutes), so the report has
    /// no period: it reads the scores and the `revenue` trait kept in `segment_profiles`.
    public static func run(workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> RFMReportView {
        let query: PostgresQuery = """
            SELECT (sp.computed->>'rfm_recency')::int, (sp.computed->>'rfm_frequency')::int, sp.computed->>'rfm_group',
                   count(*), sum(\(unescaped: ReportSQL.satang(of: "sp.computed->'revenue'")))::bigint
            FROM segment_profiles sp
            JOIN profiles p ON p.workspace_id = sp.workspace_id AND p.id = sp.profile_id AND p.merged_into IS NULL
            WHERE sp.workspace_id = \(workspaceID)
              AND jsonb_typeof(sp.computed->'rfm_recency') = 'number' AND jsonb_typeof(sp.computed->'rfm_frequency') = 'number'
              AND jsonb_typeof(sp.computed->'rfm_group') = 'string'
            GROUP BY 1, 2, 3
            """
        var cells: [[(profiles: Int, satang: Int)]] = Array(repeating: Array(repeating: (0, 0), count: 5), count: 5)
        var groups: [String: (profiles: Int, satang: Int)] = [:]
        for row in try await ReportQuery.rows(query, on: connection, logger: logger) {
            let (recency, frequency, group, profiles, satang) = try row.decode((Int, Int, String, Int, Int).self)
            guard (1...5).contains(recency), (1...5).contains(frequency) else { continue }
            cells[recency - 1][frequency - 1].profiles += profiles
            cells[recency - 1][frequency - 1].satang += satang
            groups[group, default: (0, 0)].profiles += profiles
            groups[group, default: (0, 0)].satang += satang
        }
        let grid = (1...5).flatMap { recency in
            (1...5).map { frequency in
                let cell = cells[recency - 1][frequency - 1]
                return RFMReportView.Cell(recency: recency, frequency: frequency, profiles: cell.profiles, revenue: ReportMath.baht(cell.satang))
            }
        }
        let named = groups.map { name, group in RFMReportView.Group(name: name, profiles: group.profiles, revenue: ReportMath.baht(group.satang)) }
            .sorted { ($0.profiles, $1.name) > ($1.profiles, $0.name) }
        return RFMReportView(grid: grid, groups: named)
    }
}
