import Foundation
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import Logging
import PostgresNIO

/// Each workspace's privacy policy (`privacy_policies`): read by the API, the data map and the dashboard;
/// replaced by admins, each change a new version written to the audit log in the same transaction.
struct PrivacyPolicyStore: Sendable {
    let database: PostgresClient
    let logger: Logger

    static let changedAction = "privacy.policy_changed"

    /// The policy in force: the workspace's, or the defaults at version 0.
    func current(in workspaceID: UUID) async throws -> VersionedPrivacyPolicy {
        try await PrivacyPolicies.current(in: workspaceID, on: database, logger: logger)
    }

    /// Makes `policy` (already validated) the workspace's, as the next version.
    func replace(with policy: PrivacyPolicy, in workspaceID: UUID, by actor: String) async throws -> VersionedPrivacyPolicy {
        let text = String(decoding: try JSONCoding.encoder().encode(policy), as: UTF8.self)
        return try await database.transaction(logger: logger) { connection in
            var saved: VersionedPrivacyPolicy?
            for try await (version, updatedAt) in try await connection.query(
                """
                INSERT INTO privacy_policies (workspace_id, version, policy, updated_by) VALUES (\(workspaceID), 1, \(text)::jsonb, \(actor))
                ON CONFLICT (workspace_id) DO UPDATE SET version = privacy_policies.version + 1, policy = excluded.policy,
                    updated_by = excluded.updated_by, updated_at = now()
                RETURNING version, updated_at
                """,
                logger: logger
            ).decode((Int, Date).self) {
                saved = VersionedPrivacyPolicy(version: version, policy: policy, updatedBy: actor, updatedAt: updatedAt)
            }
            guard let saved else { throw KinshipError.internalError }
            try await AuditLog.record(
                Self.changedAction, target: "version \(saved.version)", by: actor, in: workspaceID, details: try JSONValue.parse(text),
                on: connection, logger: logger
            )
            return saved
        }
    }
}
