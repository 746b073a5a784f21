import Foundation
import Logging
import PostgresNIO
import Shared
import Synchronization

/// Per workspace: its keys (unwrapped once per process) and its identity rules (read per event, so an
/// edit applies to the next event).
final class WorkspaceDirectory: Sendable {
    let keyring: MasterKeyring
    private let tenancy: TenancyStore
    private let keys = Mutex<[UUID: WorkspaceKeys]>([:])

    init(database: PostgresClient, keyring: MasterKeyring, logger: Logger) {
        self.keyring = keyring
        self.tenancy = TenancyStore(database: database, keyring: keyring, logger: logger)
    }

    func keys(for workspaceID: UUID) async throws -> WorkspaceKeys {
        if let known = keys.withLock({ $0[workspaceID] }) { return known }
        let loaded = try await tenancy.keys(for: workspaceID)
        keys.withLock { $0[workspaceID] = loaded }
        return loaded
    }

    /// The workspace's rules and their version (the defaults, version 0, until first edited).
    static func rules(for workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> (IdentityRules, Int) {
        for try await (version, text) in try await connection.query(
            "SELECT version, rules::text FROM identity_rules WHERE workspace_id = \(workspaceID)", logger: logger
        ).decode((Int, String).self) {
            return (try JSONCoding.decode(IdentityRules.self, from: Data(text.utf8)), version)
        }
        return (IdentityRules(), 0)
    }
}
