import Foundation
import Logging
import PostgresNIO
import Shared
import Synchronization

/// Per workspace: its keys, unwrapped once per process.
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
}
