import Foundation
import Logging
import PostgresNIO
import Shared
import Synchronization

/// Write key → source, cached for a short while so the hot path does not ask Postgres on every
/// request. A disabled source or rotated key stops working within `lifetime`.
final class SourceDirectory: Sendable {
    private struct Entry {
        let source: AuthenticatedSource?
        let expires: ContinuousClock.Instant
    }

    private let tenancy: TenancyStore
    private let database: PostgresClient
    private let logger: Logger
    private let lifetime: Duration
    private let entries = Mutex<[Data: Entry]>([:])
    private static let maximumEntries = 10_000

    init(database: PostgresClient, keyring: MasterKeyring, logger: Logger, lifetime: Duration = .seconds(30)) {
        self.tenancy = TenancyStore(database: database, keyring: keyring, logger: logger)
        self.database = database
        self.logger = logger
        self.lifetime = lifetime
    }

    /// The source of a write key, or `invalid_write_key` (401).
    func authenticate(writeKey: String) async throws -> AuthenticatedSource {
        let hash = SecretToken.hash(writeKey)
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[hash] }), entry.expires > now {
            guard let source = entry.source else { throw Self.invalidWriteKey }
            return source
        }
        let source = try await DatabaseDeadline.run(.seconds(5)) { try await self.lookUp(writeKey) }
        entries.withLock { entries in
            if entries.count >= Self.maximumEntries { entries.removeAll() }
            // Unknown keys are remembered too, so guessing keys does not hammer the database.
            entries[hash] = Entry(source: source, expires: now + lifetime)
        }
        guard let source else { throw Self.invalidWriteKey }
        return source
    }

    private func lookUp(_ writeKey: String) async throws -> AuthenticatedSource? {
        guard let source = try await tenancy.source(forWriteKey: writeKey) else { return nil }
        let keys = try await tenancy.keys(for: source.workspaceID)
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

    static let invalidWriteKey = KinshipError.unauthorized("invalid_write_key", "The write key is not valid for any enabled source.")
    static let missingWriteKey = KinshipError.unauthorized(
        "missing_write_key", "Send the source's write key as the HTTP Basic user name (empty password) or as writeKey in the body."
    )
}
