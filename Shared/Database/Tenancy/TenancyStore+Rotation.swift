import Foundation
import KinshipCore
import KinshipPrivacy
import PostgresNIO

extension TenancyStore {
    /// Re-seals every wrapped key (workspace data and index keys, profile data keys) that an older master key
    /// sealed, under the current one. Values encrypted with the data keys are untouched: that is the point of envelopes.
    public func rewrapKeys(actor: String) async throws -> Int {
        try await database.transaction(logger: logger) { connection in
            var count = 0
            var workspaces: [(UUID, Data, Data)] = []
            for try await row in try await connection.query(
                "SELECT id, data_key, index_key FROM workspaces FOR UPDATE", logger: logger
            ).decode((UUID, Data, Data).self) {
                workspaces.append(row)
            }
            for (id, dataKey, indexKey) in workspaces {
                guard try keyring.needsRewrap(dataKey) || keyring.needsRewrap(indexKey) else { continue }
                try await connection.query(
                    "UPDATE workspaces SET data_key = \(try keyring.rewrap(dataKey)), index_key = \(try keyring.rewrap(indexKey)) WHERE id = \(id)",
                    logger: logger
                )
                count += 2
            }
            var profiles: [(UUID, UUID, Data)] = []
            for try await row in try await connection.query(
                "SELECT workspace_id, id, data_key FROM profiles FOR UPDATE", logger: logger
            ).decode((UUID, UUID, Data).self) {
                profiles.append(row)
            }
            for (workspaceID, id, dataKey) in profiles where try keyring.needsRewrap(dataKey) {
                try await connection.query(
                    "UPDATE profiles SET data_key = \(try keyring.rewrap(dataKey)) WHERE workspace_id = \(workspaceID) AND id = \(id)",
                    logger: logger
                )
                count += 1
            }
            for (id, _, _) in workspaces {
                try await connection.query(
                    "INSERT INTO audit_log (workspace_id, actor, action, target) VALUES (\(id), \(actor), 'keys.rewrapped', \(keyring.currentID.description))",
                    logger: logger
                )
            }
            return count
        }
    }
}
