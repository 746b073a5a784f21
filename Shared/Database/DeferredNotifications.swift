import Logging
import PostgresNIO
import Synchronization

/// NOTIFYs that the body of `PostgresClient.transaction` asks for, sent once its transaction commits.
///
/// A NOTIFY inside a transaction takes a database-wide lock from its commit until the WAL flush, which
/// serialises every committing transaction that notifies. Sent afterwards, in a tiny transaction that
/// does not wait for the flush, the lock is held only briefly. A notification is a wake-up, never data:
/// one lost costs a listener its poll interval.
package final class DeferredNotifications: Sendable {
    @TaskLocal package static var current: DeferredNotifications?

    private let pending = Mutex<[String: Set<String>]>([:])

    package func add(_ payloads: Set<String>, channel: String) {
        pending.withLock { $0[channel, default: []].formUnion(payloads) }
    }

    /// What was asked for, forgotten here.
    package func take() -> [String: Set<String>] {
        pending.withLock { pending in
            defer { pending = [:] }
            return pending
        }
    }
}
