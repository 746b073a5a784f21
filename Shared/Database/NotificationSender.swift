import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Sends the wake-ups of a client's committed transactions, at most one send per `spacing`, so that
/// commits made while a send is under way or within `spacing` after it share the next one; the committer
/// does not wait for it. Each send is a transaction of its own: under a thousand small commits a second,
/// sending one per commit cost 0.3–0.7 ms of the median single-request latency in the ingestion
/// benchmark, and a listener woken a few milliseconds later loses nothing.
///
/// A `Service` beside its client's pool (`ServiceRuntime` and `DatabaseURL.withClient` run one): while it
/// runs, `send(_:via:logger:)` hands it the client's wake-ups; on graceful shutdown it sends what is
/// pending and stops. Without a running sender for a client, its wake-ups are not sent: a wake-up is
/// never data, and a listener that misses one finds the messages at its next poll.
public final class NotificationSender: Service, Sendable {
    /// The least time from one send to the next.
    package static let spacing: Duration = .milliseconds(5)

    private let client: PostgresClient
    private let logger: Logger
    private let pending = Mutex<[String: Set<String>]>([:])
    private let signal: AsyncStream<Void>
    private let signalContinuation: AsyncStream<Void>.Continuation

    /// The sender of each client, by identity (a sender holds its client, so the identity is not reused).
    private static let running = Mutex<[ObjectIdentifier: NotificationSender]>([:])

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
        (signal, signalContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        // Registered at once, so that commits made before `run` starts are kept for it, not dropped.
        Self.running.withLock { $0[ObjectIdentifier(client)] = self }
    }

    /// Hands `notifications` to the running sender of `client`; dropped when none runs (see the type).
    package static func send(_ notifications: [String: Set<String>], via client: PostgresClient, logger: Logger) {
        guard !notifications.isEmpty else { return }
        guard let sender = running.withLock({ $0[ObjectIdentifier(client)] }) else {
            logger.debug("no notification sender runs for this client; listeners will poll")
            return
        }
        sender.pending.withLock { pending in
            for (channel, payloads) in notifications { pending[channel, default: []].formUnion(payloads) }
        }
        sender.signalContinuation.yield()
    }

    public func run() async {
        for await _ in signal.cancelOnGracefulShutdown() {
            await drain()
        }
        let id = ObjectIdentifier(client)
        Self.running.withLock { if $0[id] === self { $0[id] = nil } }
        // On a graceful shutdown the pool is still open (it stops after this service): send what is left.
        if !Task.isCancelled { await drain() }
    }

    /// Sends until nothing is pending, waiting `spacing` after each send (without holding a connection)
    /// for what commits meanwhile. A failed send loses its wake-ups (listeners poll), gives its connection
    /// back to the pool (it may be dead) and the next send takes another, after a pause; after three
    /// failures in a row (a pool shut down, a database away) what is pending is dropped.
    private func drain() async {
        var failures = 0
        while let batch = takePending() {
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
                    _ = takePending()
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

    /// The notifications gathered since the last send, or nil when there are none.
    private func takePending() -> [String: Set<String>]? {
        pending.withLock { pending in
            guard !pending.isEmpty else { return nil }
            defer { pending = [:] }
            return pending
        }
    }
}
