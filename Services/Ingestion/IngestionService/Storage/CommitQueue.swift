import KinshipCore
import KinshipOutbox
import Metrics
import Synchronization

/// Requests waiting to be written, shared by the group-commit writers: a writer takes everything that
/// is waiting (up to a limit), so requests that arrive while every writer is busy share one transaction.
///
/// Bounded two ways, so a slow database cannot grow the process until it dies nor leave clients waiting:
/// the bytes of the requests queued or being written (`maximumBytes`; a request that would pass it is
/// answered `503 overloaded` at once), and the time since each request arrived (`deadline`; a request
/// without its answer then gets `503 database_unavailable`, whether it is still queued or its write is
/// stuck, since Postgres queries cannot be cancelled from here).
final class CommitQueue: Sendable {
    typealias Completion = CheckedContinuation<WriteOutcome, any Error>

    /// A request's batch and its answer, which is given once: by its writer, or at its deadline by
    /// whoever sees it pass (the write may go on and commit; a retry with the same ids is a repeat).
    final class Pending: Sendable {
        let batch: WriteBatch
        private let completion: Completion
        /// When the request must have its answer.
        let deadline: ContinuousClock.Instant
        let bytes: Int
        private let answered = Atomic(false)

        init(batch: WriteBatch, completion: Completion, deadline: ContinuousClock.Instant, bytes: Int) {
            (self.batch, self.completion, self.deadline, self.bytes) = (batch, completion, deadline, bytes)
        }

        /// Gives the request its answer, unless it has one already.
        func answer(_ result: Result<WriteOutcome, any Error>) {
            guard answered.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
            completion.resume(with: result)
        }

        var isAnswered: Bool { answered.load(ordering: .acquiring) }
    }

    private struct State {
        var pending: [Pending] = []
        var writers: [CheckedContinuation<[Pending]?, Never>] = []
        var closed = false
        /// Of the requests queued and of those being written.
        var bytes = 0
    }

    private let state = Mutex(State())
    private let maximumMessages: Int
    let maximumBytes: Int
    let deadline: Duration
    /// A request with less time than this left is not started: it would time out, and with it its group.
    let leastTimeToWrite: Duration

    init(
        maximumMessagesPerTransaction: Int = 5000, maximumBytes: Int = 64 << 20, deadline: Duration = .seconds(10),
        leastTimeToWrite: Duration = .milliseconds(500)
    ) {
        self.maximumMessages = maximumMessagesPerTransaction
        self.maximumBytes = maximumBytes
        self.deadline = deadline
        self.leastTimeToWrite = min(leastTimeToWrite, deadline / 2)
    }

    private enum Arrival {
        case refused(KinshipError)
        case queued
        case handedTo(CheckedContinuation<[Pending]?, Never>, [Pending])
    }

    /// Queues a request's batch; returns once it has committed (or failed, or waited past the deadline).
    func submit(_ batch: WriteBatch) async throws -> WriteOutcome {
        let bytes = batch.byteCount
        let deadline = ContinuousClock.now + deadline
        return try await withCheckedThrowingContinuation { completion in
            let arrival = state.withLock { state -> Arrival in
                guard !state.closed else { return .refused(.shuttingDown) }
                // One request always fits an empty queue, whatever its size.
                guard state.bytes == 0 || state.bytes + bytes <= maximumBytes else { return .refused(.overloaded) }
                state.bytes += bytes
                state.pending.append(Pending(batch: batch, completion: completion, deadline: deadline, bytes: bytes))
                guard !state.writers.isEmpty else { return .queued }
                return .handedTo(state.writers.removeFirst(), takeGroup(&state))
            }
            switch arrival {
            case .refused(let error):
                if error.code == .overloaded { Counter(label: "kinship_ingestion_overloaded_total").increment() }
                // Never queued: its continuation is answered here, once.
                completion.resume(throwing: error)
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

    /// Frees the bytes of requests a writer took, once their write has ended (answered or not: until then
    /// the write holds them).
    func release(_ group: [Pending]) {
        let bytes = group.reduce(0) { $0 + $1.bytes }
        state.withLock { $0.bytes -= bytes }
    }

    /// Answers `503` to every queued request whose deadline has passed or is too near to start writing it.
    /// Returns how many there were.
    @discardableResult
    func expireOverdue(now: ContinuousClock.Instant = .now) -> Int {
        let overdue = state.withLock { state -> [Pending] in
            // One deadline after arrival for all, so the overdue ones are the oldest: a prefix.
            let count = state.pending.prefix { $0.deadline <= now + leastTimeToWrite }.count
            defer { state.pending.removeFirst(count) }
            return Array(state.pending.prefix(count))
        }
        for pending in overdue { pending.answer(.failure(KinshipError.databaseUnavailable(retryAfterSeconds: 1))) }
        release(overdue)
        if !overdue.isEmpty { Counter(label: "kinship_ingestion_expired_requests_total").increment(by: overdue.count) }
        return overdue.count
    }

    /// The bytes of the requests queued and being written.
    var bytes: Int { state.withLock { $0.bytes } }

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

extension WriteBatch {
    /// About what the request holds in memory until it is written: its rows' text and a share for the rest.
    var byteCount: Int {
        var bytes = 512
        for message in messages { bytes += message.json.count + message.reference.utf8.count + message.messageId.utf8.count + 128 }
        for failure in failures { bytes += failure.sealedPayload.count + failure.message.utf8.count + 128 }
        return bytes
    }
}

extension KinshipError {
    static let overloaded = KinshipError(
        code: .overloaded, status: .serviceUnavailable,
        message: "This ingestion process has as much waiting to be written as it holds; retry.",
        headers: [.retryAfter: "1"]
    )
}
