import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import Logging
import PostgresNIO
import Synchronization

/// Write key → source, cached for a short while so the hot path does not ask Postgres on every
/// request. A disabled source or rotated key stops working within `lifetime` (`KINSHIP_WRITE_KEY_CACHE_SECONDS`):
/// an entry's lifetime counts from when its lookup began, so a lookup that read the source just before
/// it was disabled does not extend it.
final class SourceDirectory: Sendable {
    private let tenancy: TenancyStore
    private let workspaceKeys: WorkspaceKeyCache
    private let database: PostgresClient
    private let logger: Logger
    /// By the write key's hash. Unknown keys are remembered too (as nil), so guessing keys does not hammer
    /// the database; when full, the oldest entry makes room for the next.
    private let sources: ExpiringCache<Data, AuthenticatedSource?>

    init(database: PostgresClient, keyring: MasterKeyring, logger: Logger, lifetime: Duration) {
        self.tenancy = TenancyStore(database: database, keyring: keyring, logger: logger)
        self.workspaceKeys = WorkspaceKeyCache(database: database, keyring: keyring, logger: logger)
        self.database = database
        self.logger = logger
        self.sources = ExpiringCache(capacity: 10_000, lifetime: lifetime)
    }

    /// The source of a write key, or `invalid_write_key` (401).
    func authenticate(writeKey: String) async throws -> AuthenticatedSource {
        let hash = SecretToken.hash(writeKey)
        let source = try await sources.value(for: hash) {
            try await Deadline.run(.seconds(5)) { try await self.lookUp(writeKey) }
        }
        guard let source else { throw Self.invalidWriteKey }
        return source
    }

    private func lookUp(_ writeKey: String) async throws -> AuthenticatedSource? {
        guard let source = try await tenancy.source(forWriteKey: writeKey) else { return nil }
        let keys = try await workspaceKeys.keys(for: source.workspaceID)
        var policy = IPTruncation.anonymize
        for try await text in try await database.query(
            "SELECT ip_policy FROM workspaces WHERE id = \(source.workspaceID)", logger: logger
        ).decode(String.self) {
            policy = IPTruncation(setting: text) ?? .anonymize
        }
        return AuthenticatedSource(
            source: source, sealing: SealedFields(key: keys.dataKey, workspaceID: source.workspaceID),
            dataKey: keys.dataKey, blindIndex: keys.blindIndex, ipPolicy: policy
        )
    }

    static let invalidWriteKey = KinshipError.unauthorized(.invalidWriteKey, "The write key is not valid for any enabled source.")
    static let missingWriteKey = KinshipError.unauthorized(
        .missingWriteKey, "Send the source's write key as the HTTP Basic user name (empty password) or as writeKey in the body."
    )
}
