import Foundation
import KinshipCore
import KinshipPrivacy
import Logging
import PostgresNIO

/// Each workspace's keys, unwrapped once and kept for `lifetime`: what every service that seals, opens or
/// blind-indexes needs on its hot path, without a query and an unwrap per event.
public final class WorkspaceKeyCache: Sendable {
    public let keyring: MasterKeyring
    private let tenancy: TenancyStore
    private let cache: ExpiringCache<UUID, WorkspaceKeys>

    /// Keys do not change when the master key rotates (they are only wrapped anew); the lifetime bounds
    /// how long a deleted workspace's keys stay in memory.
    public init(
        database: PostgresClient, keyring: MasterKeyring, logger: Logger, capacity: Int = 10_000, lifetime: Duration = .seconds(600)
    ) {
        self.keyring = keyring
        self.tenancy = TenancyStore(database: database, keyring: keyring, logger: logger)
        self.cache = ExpiringCache(capacity: capacity, lifetime: lifetime)
    }

    /// The workspace's keys, or `not_found`.
    public func keys(for workspaceID: UUID) async throws -> WorkspaceKeys {
        try await cache.value(for: workspaceID) { try await tenancy.keys(for: workspaceID) }
    }
}
