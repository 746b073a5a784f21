import KinshipCore
import KinshipOutbox
import Synchronization

/// Requests waiting to be written, shared by the group-commit writers: a writer takes everything that
/// is waiting (up to a limit), so requests that arrive while every writer is busy share one transaction.
final class CommitQueue: Sendable {
    typealias Completion = CheckedContinuation<WriteOutcome, any Error>

    struct Pending: Sendable {
        let batch: WriteBatch
        let completion: Completion
    }

    private struct State {
        var pending: [Pending] = []
        var writers: [CheckedContinuation<[Pending]?, Never>] = []
        var closed = false
    }

    private let state = Mutex(State())
    private let maximumMessages: Int

    init(maximumMessagesPerTransaction: Int = 5000) {
        self.maximumMessages = maximumMessagesPerTransaction
    }

    private enum Arrival {
        case refused
        case queued
        case handedTo(CheckedContinuation<[Pending]?, Never>, [Pending])
    }

    /// Queues a request's batch; returns once it has committed (or failed).
    func submit(_ batch: WriteBatch) async throws -> WriteOutcome {
        try await withCheckedThrowingContinuation { completion in
            let arrival = state.withLock { state -> Arrival in
                guard !state.closed else { return .refused }
                state.pending.append(Pending(batch: batch, completion: completion))
                guard !state.writers.isEmpty else { return .queued }
                return .handedTo(state.writers.removeFirst(), takeGroup(&state))
            }
            switch arrival {
            case .refused: completion.resume(throwing: KinshipError.shuttingDown)
            case .queued: break
            case .handedTo(let writer, let group): writer.resume(returning: group)
            }
        }
    }

    /// The next group to write; nil once closed and drained.
    func next() async -> [Pending]? {
        await withCheckedContinuation { writer in
            let group = state.withLock { state -> [Pending]?? in
                if !state.pending.isEmpty { return .some(takeGroup(&state)) }
                if state.closed { return .some(nil) }
                state.writers.append(writer)
                return .none
            }
            if let group { writer.resume(returning: group) }
        }
    }

    /// Refuses new batches; writers drain what is queued, then `next()` returns nil.
    func close() {
        // A writer waits only while nothing is pending, so every waiting writer can be let go.
        let idle = state.withLock { state -> [CheckedContinuation<[Pending]?, Never>] in
            state.closed = true
            defer { state.writers = [] }
            return state.writers
        }
        for writer in idle { writer.resume(returning: nil) }
    }

    private func takeGroup(_ state: inout State) -> [Pending] {
        var count = 0
        var taken = 0
        for pending in state.pending {
            count += pending.batch.messages.count + pending.batch.failures.count
            taken += 1
            if count >= maximumMessages { break }
        }
        let group = Array(state.pending.prefix(taken))
        state.pending.removeFirst(taken)
        return group
    }
}
