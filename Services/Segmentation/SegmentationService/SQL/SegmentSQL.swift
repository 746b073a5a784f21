import Foundation
import PostgresNIO

/// The SQL form of segment definitions, for full recomputes: one query over every live profile of a workspace
/// that answers as `SegmentDefinition.evaluate` does for each of them (docs/segments.md).
public enum SegmentSQL {
    /// `SELECT sp.profile_id ...`: the workspace's live profiles (in `segment_profiles`, not merged away)
    /// matching the definition at `now`, and, when `requiredConsent` is given, not having refused it (consent
    /// value `false`). Every value is a bind parameter (`$1`, `$2`, …); the one column is `profile_id`.
    public static func members(of definition: SegmentDefinition, workspaceID: UUID, requiredConsent: String?, now: Date) -> PostgresQuery {
        var writer = SegmentSQLWriter(now: now)
        let workspace = writer.bind(workspaceID)
        writer.workspace = workspace
        let condition = definition.root.sql(&writer)
        var sql = """
            SELECT sp.profile_id FROM segment_profiles sp \
            JOIN profiles p ON p.workspace_id = sp.workspace_id AND p.id = sp.profile_id AND p.merged_into IS NULL \
            WHERE sp.workspace_id = \(workspace) AND \(condition)
            """
        if let requiredConsent {
            sql += " AND NOT coalesce(sp.consent -> \(writer.bind(requiredConsent)) = 'false'::jsonb, false)"
        }
        return PostgresQuery(unsafeSQL: sql, binds: writer.binds)
    }
}
