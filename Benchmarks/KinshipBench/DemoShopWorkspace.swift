import Foundation
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import Logging
import PostgresNIO

/// A demo shop benchmark's workspace and source, with what storing its rows needs: the master keyring (each
/// profile's data key is wrapped by it), the workspace's sealing, as ingestion seals messages, and, for the
/// real-time measure, events written with their `events` outbox references as ingestion writes them.
struct DemoShopWorkspace: Sendable {
    let workspaceID: UUID
    let sourceID: UUID
    let keyring: MasterKeyring
    let sealing: SealedFields
    let ingestion: IdentityBenchWorkspace
}

extension DemoShopWorkspace {
    /// A new workspace named `name` with one source, `web`, made as the admin API makes them.
    static func create(named name: String, keyring: MasterKeyring, _ database: PostgresClient, logger: Logger) async throws -> Self {
        let tenancy = TenancyStore(database: database, keyring: keyring, logger: logger)
        let created = try await tenancy.createWorkspace(name: name, actor: "kinship-bench")
        let source = try await tenancy.createSource(in: created, name: "web", actor: "kinship-bench")
        let keys = try await tenancy.keys(for: created.id)
        return DemoShopWorkspace(
            workspaceID: created.id, sourceID: source.owner.id, keyring: keyring,
            sealing: SealedFields(key: keys.dataKey, workspaceID: created.id),
            ingestion: IdentityBenchWorkspace(workspaceID: created.id, sourceID: source.owner.id, keys: keys)
        )
    }
}
