import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import Logging
import PostgresNIO

/// Segmentation's consumer of the `privacy` topic: its step of each erasure removes the person's computed
/// traits, consent facts and every membership (current and past), announcing `segment.exited` for the
/// segments they were in, so whoever acts on segments lets go of them too.
struct PrivacyStepConsumer: Sendable {
    let logger: Logger

    func consumer(database: PostgresClient, options: OutboxConsumerOptions) -> OutboxConsumer {
        PrivacySteps.consumer(.segmentation, database: database, options: options, logger: logger, erase: erase)
    }

    func erase(in workspaceID: UUID, _ profiles: [UUID], on connection: PostgresConnection) async throws -> [String: Int] {
        // The evaluator's locks: an evaluation in flight commits first and its rows are removed here; one
        // after finds the profiles gone (identity's step is done) and writes nothing.
        try await ProfileEvaluator.lock(Set(profiles), in: workspaceID, on: connection, logger: logger)
        var removed: [String: Int] = [:]
        let now = Timestamp.format(Date())
        var exits: [SegmentMembershipChange] = []
        var memberships = 0
        for try await (segment, profile, version, current) in try await connection.query(
            """
            DELETE FROM memberships WHERE workspace_id = \(workspaceID) AND profile_id = ANY(\(profiles))
            RETURNING segment_id, profile_id, segment_version, exited_at IS NULL
            """,
            logger: logger
        ).decode((UUID, UUID, Int, Bool).self) {
            memberships += 1
            if current {
                exits.append(SegmentMembershipChange(kind: .exited, segmentId: segment.lowercased, segmentVersion: version, profileId: profile.lowercased, at: now))
            }
        }
        removed["memberships"] = memberships
        removed["consent_facts"] = try await connection.query(
            "DELETE FROM consent_facts WHERE workspace_id = \(workspaceID) AND profile_id = ANY(\(profiles)) RETURNING 1", logger: logger
        ).collectAll().count
        // Ingestion drops the tokens at its next full read (`WorkspacePrivacyCache`).
        removed["consent_refusals"] = try await connection.query(
            "DELETE FROM consent_refusals WHERE workspace_id = \(workspaceID) AND profile_id = ANY(\(profiles)) RETURNING 1", logger: logger
        ).collectAll().count
        removed["segment_profiles"] = try await connection.query(
            "DELETE FROM segment_profiles WHERE workspace_id = \(workspaceID) AND profile_id = ANY(\(profiles)) RETURNING 1", logger: logger
        ).collectAll().count
        let drafts = try exits.map { try OutboxDraft(topic: .segments, workspaceID: workspaceID, key: $0.profileId, payload: $0) }
        try await Outbox.append(drafts, on: connection, logger: logger)
        return removed
    }
}
