import Synchronization

/// The cursor each partition's last batch committed, per consumer: the next batch checks it in the
/// statement that reads its messages instead of reading it first (one round trip fewer per batch).
/// A hint, never trusted: a cursor that is no longer the group's makes the batch read the real one.
final class CursorCache: Sendable {
    private let cursors = Mutex<[Int: OutboxCursor]>([:])

    func cursor(for partition: Int) -> OutboxCursor? {
        cursors.withLock { $0[partition] }
    }

    func remember(_ cursor: OutboxCursor?, for partition: Int) {
        cursors.withLock { $0[partition] = cursor }
    }

    func forget(_ partition: Int) {
        remember(nil, for: partition)
    }
}
