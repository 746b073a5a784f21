import Foundation
import KinshipCore
import Logging
import PostgresNIO

/// Keeps `consent_refusals`, what ingestion refuses to store: for every identifier of a profile whose
/// consent in force refuses a category, a row (type, token, category) with `refused` true and the time the
/// refusal was stated (events dated before it were collected with consent); a row whose
/// profile no longer refuses, or no longer holds the identifier, turns false (it is not deleted, so that
/// ingestion's incremental reads see the change). Written in the evaluation's transaction.
enum ConsentRefusals {
    /// Brings the rows of the profiles named in line with what each refuses now: category → since when (the
    /// event time of the refusal in force). A profile with none has its rows lifted. Profiles that refuse
    /// nothing and refused nothing before are left out by the caller: they have no rows.
    static func sync(_ refusals: [UUID: [String: Date]], in workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        guard !refusals.isEmpty else { return }
        let refused = refusals.flatMap { profile, categories in categories.sorted { $0.key < $1.key }.map { (profile, $0.key, $0.value) } }
        try await connection.query(
            """
            WITH wanted AS (
                SELECT i.type, i.token, r.category, r.profile_id, r.refused_at
                FROM unnest(\(refused.map(\.0))::uuid[], \(refused.map(\.1))::text[], \(refused.map(\.2))::timestamptz[])
                    AS r(profile_id, category, refused_at)
                JOIN identities AS i ON i.workspace_id = \(workspaceID) AND i.profile_id = r.profile_id
            ), refusing AS (
                INSERT INTO consent_refusals AS c (workspace_id, type, token, category, profile_id, refused, refused_at)
                SELECT \(workspaceID), type, token, category, profile_id, true, refused_at FROM wanted
                ON CONFLICT (workspace_id, type, token, category) DO UPDATE
                    SET refused = true, profile_id = excluded.profile_id, refused_at = excluded.refused_at, changed_xid = pg_current_xact_id()
                    WHERE NOT c.refused OR c.profile_id <> excluded.profile_id OR c.refused_at <> excluded.refused_at
            )
            UPDATE consent_refusals AS c SET refused = false, changed_xid = pg_current_xact_id()
            WHERE c.workspace_id = \(workspaceID) AND c.profile_id = ANY(\(Array(refusals.keys))::uuid[]) AND c.refused
              AND NOT EXISTS (SELECT 1 FROM wanted AS w WHERE w.type = c.type AND w.token = c.token AND w.category = c.category)
            """,
            logger: logger
        )
    }

    /// Turns off the refusals of profiles merged away or gone (the profile they joined, if it refuses, takes
    /// the identifiers' rows over when it is evaluated, in the same transaction).
    static func release(_ profiles: [UUID], in workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        guard !profiles.isEmpty else { return }
        try await connection.query(
            """
            UPDATE consent_refusals SET refused = false, changed_xid = pg_current_xact_id()
            WHERE workspace_id = \(workspaceID) AND profile_id = ANY(\(profiles)::uuid[]) AND refused
            """,
            logger: logger
        )
    }
}
