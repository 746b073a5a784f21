import Foundation
import KinshipCore
import KinshipPrivacy
import Logging
import PostgresNIO

/// Reads a workspace's privacy policy (`privacy_policies`), for every service that obeys it: ingestion
/// (consent categories, classification), identity (classification of profile traits), reporting (the API,
/// the data map). A workspace without one, or with one that no longer decodes, has the defaults.
public enum PrivacyPolicies {
    public static func current(in workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> VersionedPrivacyPolicy {
        try await decode(connection.query(select(workspaceID), logger: logger))
    }

    public static func current(in workspaceID: UUID, on database: PostgresClient, logger: Logger) async throws -> VersionedPrivacyPolicy {
        try await decode(database.query(select(workspaceID), logger: logger))
    }

    private static func select(_ workspaceID: UUID) -> PostgresQuery {
        "SELECT version, policy::text, updated_by, updated_at FROM privacy_policies WHERE workspace_id = \(workspaceID)"
    }

    private static func decode(_ rows: PostgresRowSequence) async throws -> VersionedPrivacyPolicy {
        for try await (version, text, updatedBy, updatedAt) in rows.decode((Int, String, String, Date).self) {
            let policy = (try? JSONCoding.decode(PrivacyPolicy.self, from: Data(text.utf8))) ?? .standard
            return VersionedPrivacyPolicy(version: version, policy: policy, updatedBy: updatedBy, updatedAt: updatedAt)
        }
        return VersionedPrivacyPolicy(version: 0, policy: .standard, updatedBy: nil, updatedAt: nil)
    }
}
