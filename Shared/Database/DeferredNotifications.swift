import Logging
import PostgresNIO
import Synchronization

/// NOTIFYs that the body of `PostgresClient.transaction` asks for, sent once its transaction commits.
///
/// A NOTIFY inside a transaction takes a database-wide lock from its commit until the WAL flush, which
/// serialises every committing transaction that notifies. Sent afterwards, in a tiny transaction that
/// does not wait for the flush, the lock is held only briefly. A notification is a wake-up, never data:
/// one lost costs a listener its poll interval.
final class DeferredNotifications: Sendable {
    @TaskLocal static var current: DeferredNotifications?

    private let pending = Mutex<[String: Set<String>]>([:])

    func add(_ payloads: Set<String>, channel: String) {
        pending.withLock { $0[channel, default: []].formUnion(payloads) }
    }

    /// Sends what was asked for and forgets it; failures are logged, as listeners also poll.
    func send(on connection: PostgresConnection, logger: Logger) async {
        let pending = pending.withLock { pending in
            defer { pending = [:] }
            return pending
        }
        for (channel, payloads) in pending.sorted(by: { $0.key < $1.key }) where !payloads.isEmpty {
            do {
                try await connection.query(
                    """
                    SELECT set_config('synchronous_commit', 'off', true),
                           (SELECT count(pg_notify(\(channel), p)) FROM unnest(\(payloads.sorted())::text[]) AS p)
                    """,
                    logger: logger
                )
            } catch {
                logger.warning("notification not sent; listeners will poll", metadata: [
                    "channel": "\(channel)", "error": "\(String(reflecting: error))",
                ])
            }
        }
    }
}
