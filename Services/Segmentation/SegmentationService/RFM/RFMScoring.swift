import Foundation
import KinshipOutbox
import Logging
import PostgresNIO

/// Scores a workspace's live profiles with orders by recency, frequency and monetary value, as quintiles
/// within the workspace, and keeps the scores and their group in `segment_profiles.computed`.
///
/// One statement per workspace, so the scores of a workspace come from one snapshot. Each score is
/// ⌈5 × c ÷ n⌉, where n is the number of profiles scored and c the number whose value is at most this
/// profile's: the quintile of the cumulative distribution. Equal values therefore get equal scores (plain
/// `ntile(5)` would split a run of equal values across two scores by row order), the highest value always
/// scores 5, and with distinct values each score holds a fifth of the profiles. The arithmetic is in
/// integers, so no rounding of `cume_dist()` can move a profile across a boundary.
public struct RFMScoring: Sendable {
    /// The keys this owns in `computed`; the traits worker keeps them when it rewrites the rest.
    public static let keys = ["rfm_recency", "rfm_frequency", "rfm_monetary", "rfm_score", "rfm_group"]

    let database: PostgresClient
    let logger: Logger

    public init(database: PostgresClient, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Scores the workspace; returns how many profiles' RFM keys changed (each of them is made due now, so
    /// its segments are evaluated again).
    ///
    /// Scored: profiles with a row in `segment_profiles`, not merged away, with `order_count` ≥ 1 and a
    /// numeric `revenue` and a `last_order_at`. Every other row of the workspace loses its RFM keys. The
    /// group table is bound from `RFMGroup` (125 scores and their names), so SQL and Swift cannot disagree.
    @discardableResult
    public func score(workspace: UUID) async throws -> Int {
        let table = RFMGroup.everyScore
        let scores = table.map(\.score)
        let groups = table.map(\.group.rawValue)
        let keys = Self.keys
        // `UPDATE … SET computed = sp.computed - keys || …` reads the row as it is when updated, so traits the
        // worker wrote since this statement's snapshot are kept.
        let rows = try await database.query(
            """
            WITH groups AS (
                SELECT score, name FROM unnest(\(scores)::text[], \(groups)::text[]) AS g (score, name)
            ), scored AS (
                SELECT sp.profile_id,
                       (sp.computed ->> 'last_order_at')::timestamptz AS last_order_at,
                       (sp.computed ->> 'order_count')::numeric AS order_count,
                       (sp.computed ->> 'revenue')::numeric AS revenue
                FROM segment_profiles sp
                JOIN profiles p ON p.workspace_id = sp.workspace_id AND p.id = sp.profile_id AND p.merged_into IS NULL
                WHERE sp.workspace_id = \(workspace)
                  -- CASE, because AND does not promise to test the type before the cast.
                  AND CASE WHEN jsonb_typeof(sp.computed -> 'order_count') = 'number' THEN (sp.computed ->> 'order_count')::numeric >= 1 END
                  AND jsonb_typeof(sp.computed -> 'revenue') = 'number'
                  AND jsonb_typeof(sp.computed -> 'last_order_at') = 'string'
                  AND sp.computed ->> 'last_order_at' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T'
            ), counted AS (
                -- The default window frame ends at the current row's last peer: the count of values at most this one.
                SELECT profile_id,
                       count(*) OVER (ORDER BY last_order_at) AS recency_at_most,
                       count(*) OVER (ORDER BY order_count) AS frequency_at_most,
                       count(*) OVER (ORDER BY revenue) AS monetary_at_most,
                       count(*) OVER () AS total
                FROM scored
            ), quintiles AS (
                SELECT profile_id,
                       (5 * recency_at_most + total - 1) / total AS r,
                       (5 * frequency_at_most + total - 1) / total AS f,
                       (5 * monetary_at_most + total - 1) / total AS m
                FROM counted
            ), target AS (
                SELECT q.profile_id,
                       jsonb_build_object('rfm_recency', q.r, 'rfm_frequency', q.f, 'rfm_monetary', q.m,
                                          'rfm_score', g.score, 'rfm_group', g.name) AS rfm
                FROM quintiles q JOIN groups g ON g.score = q.r::text || q.f::text || q.m::text
            ), changed AS (
                SELECT sp.profile_id, coalesce(t.rfm, '{}'::jsonb) AS rfm
                FROM segment_profiles sp LEFT JOIN target t ON t.profile_id = sp.profile_id
                WHERE sp.workspace_id = \(workspace)
                  AND (sp.computed - \(keys)::text[]) || coalesce(t.rfm, '{}'::jsonb) IS DISTINCT FROM sp.computed
            ), updated AS (
                UPDATE segment_profiles sp
                SET computed = (sp.computed - \(keys)::text[]) || c.rfm, next_check = least(sp.next_check, now())
                FROM changed c
                WHERE sp.workspace_id = \(workspace) AND sp.profile_id = c.profile_id
                RETURNING 1
            )
            SELECT count(*)::int FROM updated
            """,
            logger: logger
        )
        return try await rows.decode(Int.self).first(where: { _ in true }) ?? 0
    }

    /// Every workspace's id, for a pass over all of them.
    public func workspaces() async throws -> [UUID] {
        try await database.query("SELECT id FROM workspaces ORDER BY id", logger: logger).decode(UUID.self).collectAll()
    }
}
