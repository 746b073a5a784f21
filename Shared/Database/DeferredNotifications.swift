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

    /// What was asked for, forgotten here.
    func take() -> [String: Set<String>] {
        pending.withLock { pending in
            defer { pending = [:] }
            return pending
        }
    }
}

/// Sends the wake-ups of a client's committed transactions from one task at a time, at most one send per
/// `spacing`, so that commits made while a send is under way or within `spacing` after it share the next
/// one; the committer does not wait for it. Each send is a transaction of its own: under a thousand small
/// commits a second, sending one per commit cost 0.3–0.7 ms of the median single-request latency in the
/// ingestion benchmark, and a listener woken a few milliseconds later loses nothing.
final class NotificationSender: Sendable {
    static let shared = NotificationSender()

    /// The least time from one send to the next.
    static let spacing: Duration = .milliseconds(5)

    private struct Queue {
        var pending: [String: Set<String>] = [:]
        var sending = false
    }

    private let queues = Mutex<[ObjectIdentifier: Queue]>([:])

    func send(_ notifications: [String: Set<String>], via client: PostgresClient, logger: Logger) {
        guard !notifications.isEmpty else { return }
        let id = ObjectIdentifier(client)
        let startSender = queues.withLock { queues -> Bool in
            var queue = queues[id, default: Queue()]
            for (channel, payloads) in notifications { queue.pending[channel, default: []].formUnion(payloads) }
            defer { queue.sending = true; queues[id] = queue }
            return !queue.sending
        }
        guard startSender else { return }
        Task { await drain(id, via: client, logger: logger) }
    }

    /// Sends until nothing is pending, waiting `spacing` after each send (without holding a connection)
    /// for what commits meanwhile. A failed send loses its wake-ups (listeners poll), gives its connection
    /// back to the pool (it may be dead) and the next send takes another, after a pause; after three
    /// failures in a row (a pool shut down, a database away) what is pending is dropped and the next
    /// commit starts afresh.
    private func drain(_ id: ObjectIdentifier, via client: PostgresClient, logger: Logger) async {
        var failures = 0
        while let batch = next(id) {
            do {
                try await client.withConnection { connection in try await Self.send(batch, on: connection, logger: logger) }
                failures = 0
                try? await Task.sleep(for: Self.spacing)
            } catch {
                failures += 1
                logger.warning("notifications not sent; listeners will poll", metadata: [
                    "attempt": "\(failures)", "error": "\(String(reflecting: error))",
                ])
                if failures >= 3 {
                    while self.next(id) != nil {}
                    return
                }
                try? await Task.sleep(for: .milliseconds(100 * failures))
            }
        }
    }

    /// Sends `pending` in one statement per channel.
    private static func send(_ pending: [String: Set<String>], on connection: PostgresConnection, logger: Logger) async throws {
        for (channel, payloads) in pending.sorted(by: { $0.key < $1.key }) where !payloads.isEmpty {
            _ = try await connection.rows(NotifyListeners(channel: channel, payloads: payloads.sorted()), logger: logger)
        }
    }

    /// The notifications gathered since the last send, or nil (and the sender stops) when there are none.
    private func next(_ id: ObjectIdentifier) -> [String: Set<String>]? {
        queues.withLock { queues in
            guard let pending = queues[id]?.pending, !pending.isEmpty else {
                queues[id] = nil
                return nil
            }
            queues[id]?.pending = [:]
            return pending
        }
    }
}
