import Foundation
import KinshipCore
import Logging
import PostgresNIO

/// Reads a profile's computed traits, consent and memberships as `ProfileSegmentsView`.
enum ProfileSegmentsReader {
    /// Nil when the workspace has no such profile.
    static func view(of named: UUID, in workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> ProfileSegmentsView? {
        let (live, _) = try await ProfileEvaluator.follow([named], in: workspaceID, on: connection, logger: logger)
        guard let id = live.first else { return nil }
        var computed: [String: JSONValue] = [:]
        var consent: [String: Bool] = [:]
        var evaluatedAt: Date?
        for try await (computedText, consentText, at) in try await connection.query(
            "SELECT computed::text, consent::text, evaluated_at FROM segment_profiles WHERE workspace_id = \(workspaceID) AND profile_id = \(id)",
            logger: logger
        ).decode((String, String, Date).self) {
            computed = try JSONValue.parse(computedText).objectValue ?? [:]
            consent = (try JSONValue.parse(consentText).objectValue ?? [:]).compactMapValues(\.boolValue)
            evaluatedAt = at
        }
        // The history as versions: each category's first choice and every change since, newest first. A
        // choice repeated (kinship.js states consent on every event) is kept in `consent_facts`, not shown.
        let history = try await connection.query(
            """
            SELECT category, granted, origin, message_id, stated_at FROM (
                SELECT *, lag(granted) OVER (PARTITION BY category ORDER BY stated_at, message_id) AS before
                FROM consent_facts WHERE workspace_id = \(workspaceID) AND profile_id = \(id)
            ) AS f
            WHERE before IS DISTINCT FROM granted
            ORDER BY stated_at DESC, category
            """,
            logger: logger
        ).decode((String, Bool, String, String, Date).self).collectAll().map {
            ProfileSegmentsView.Consent(category: $0.0, granted: $0.1, origin: $0.2, messageId: $0.3, statedAt: $0.4)
        }
        let memberships = try await connection.query(
            """
            SELECT m.segment_id, s.name, m.segment_version, m.entered_at, m.exited_at FROM memberships m
            JOIN segments s ON s.workspace_id = m.workspace_id AND s.id = m.segment_id
            WHERE m.workspace_id = \(workspaceID) AND m.profile_id = \(id) ORDER BY m.entered_at DESC, s.name
            """,
            logger: logger
        ).decode((UUID, String, Int, Date, Date?).self).collectAll().map {
            ProfileSegmentsView.Membership(segmentId: $0.0.lowercased, segmentName: $0.1, segmentVersion: $0.2, enteredAt: $0.3, exitedAt: $0.4)
        }
        return ProfileSegmentsView(
            profileId: id.lowercased, computed: computed, consent: consent, consentHistory: history, memberships: memberships, evaluatedAt: evaluatedAt
        )
    }
}
