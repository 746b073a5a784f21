import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle

/// Group commit: a few writers each take every request waiting in the `CommitQueue` and store them in
/// one transaction (dedup, events, outbox references, failed events), so throughput does not depend
/// on one WAL flush per request. A request is answered only after its transaction committed.
struct EventWriter: Service {
    let queue: CommitQueue
    let database: PostgresClient
    let logger: Logger
    let writers: Int
    let dedupWindowDays: Int

    func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { upkeep in
                // Answers requests that waited too long in the queue, while every writer is stuck.
                upkeep.addTask { await expireOverdueUntilCancelled() }
                await withTaskGroup(of: Void.self) { group in
                    for _ in 0..<writers {
                        group.addTask { await writeUntilClosed() }
                    }
                }
                upkeep.cancelAll()
            }
        } onGracefulShutdown: {
            queue.close()
        }
    }

    private func writeUntilClosed() async {
        while let group = await queue.next() {
            await write(group)
        }
    }

    private func expireOverdueUntilCancelled() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(100))
            queue.expireOverdue()
        }
    }

    /// Writes a group and answers its requests; each is answered by its deadline even when the write is
    /// stuck (the answer is then 503, and the write may still commit: a client's retry with the same
    /// `messageId` is stored once). The writer itself waits for the write to end, so what it holds stays
    /// counted in the queue's bytes and stuck writes cannot pile up.
    private func write(_ taken: [CommitQueue.Pending]) async {
        defer { queue.release(taken) }
        // A request near its deadline is answered now rather than given a write it cannot finish.
        let now = ContinuousClock.now
        var group: [CommitQueue.Pending] = []
        for pending in taken {
            if pending.deadline - now < queue.leastTimeToWrite {
                pending.answer(.failure(KinshipError.databaseUnavailable(retryAfterSeconds: 1)))
            } else {
                group.append(pending)
            }
        }
        await write(group, now: now)
    }

    private func write(_ group: [CommitQueue.Pending], now: ContinuousClock.Instant) async {
        guard let oldest = group.map(\.deadline).min() else { return }
        let batches = group.map(\.batch)
        // Its own task so the alarm can cancel it: what can stop does (waiting for a pooled connection);
        // a statement already running in Postgres goes on to its end.
        let work = Task { try await store(batches) }
        let alarm = Deadline.alarm(after: oldest - now) {
            for pending in group { pending.answer(.failure(KinshipError.databaseUnavailable(retryAfterSeconds: 1))) }
            work.cancel()
        }
        defer { alarm.cancel() }
        do {
            let outcomes = try await work.value
            for (pending, outcome) in zip(group, outcomes) { pending.answer(.success(outcome)) }
            Recorder(label: "kinship_ingestion_group_commit_requests").record(group.count)
        } catch let error as PSQLError where !error.isConnectionFailure && group.count > 1 {
            // One request's data broke the shared transaction: write each alone, so only it fails (those
            // answered meanwhile have been told to retry).
            logger.warning("group commit failed; writing its requests one by one", metadata: ["error": "\(String(reflecting: error))"])
            for pending in group where !pending.isAnswered { await write([pending], now: .now) }
        } catch {
            let failure = Self.clientFacing(error)
            if (failure as? KinshipError)?.code == .databaseUnavailable {
                logger.error("events not stored: database unavailable", metadata: ["error": "\(String(reflecting: error))"])
            }
            for pending in group { pending.answer(.failure(failure)) }
        }
    }

    static func clientFacing(_ error: any Error) -> any Error {
        switch error {
        case let error as PSQLError where error.isConnectionFailure: KinshipError.databaseUnavailable()
        default: error
        }
    }

    /// Stores the batches in one statement (one transaction with the failed events) and says, per batch,
    /// how many were new and how many repeats.
    ///
    /// Every group, small or large, is one statement that claims the ids, inserts the events and appends
    /// their outbox rows: one round trip, committed alone. A `COPY` path for large groups cost Postgres
    /// no less per event, and its eight round trips left the writers waiting on the request tasks that share
    /// the service's threads, with the cores partly idle.
    func store(_ batches: [WriteBatch]) async throws -> [WriteOutcome] {
        var outcomes = Array(repeating: WriteOutcome(), count: batches.count)
        // The first of several equal (workspace, source, messageId) in the group is the one that may be stored.
        var firsts: [MessageKey: (batch: Int, message: Int)] = [:]
        firsts.reserveCapacity(batches.reduce(0) { $0 + $1.messages.count })
        for (b, batch) in batches.enumerated() {
            for (m, message) in batch.messages.enumerated() {
                let key = MessageKey(batch, message)
                if firsts[key] == nil { firsts[key] = (b, m) } else { outcomes[b].duplicates += 1 }
            }
        }
        let candidates = Candidate.inLockOrder(firsts.map { Candidate(key: $0.key, batch: $0.value.batch, message: $0.value.message) })
        let rows = candidates.map { (batch: batches[$0.batch], message: batches[$0.batch].messages[$0.message]) }
        let repeats: Set<MessageKey>
        if batches.allSatisfy(\.failures.isEmpty) {
            repeats = try await database.withConnection { connection in try await claimAndInsert(rows, on: connection, tryingNewFirst: true) }
        } else {
            repeats = try await database.transaction(logger: logger) { connection in
                // A failed statement would abort the transaction, so this one claims carefully from the start.
                let repeats = try await claimAndInsert(rows, on: connection, tryingNewFirst: false)
                try await insertFailures(batches, on: connection)
                return repeats
            }
        }
        for candidate in candidates {
            if repeats.contains(candidate.key) { outcomes[candidate.batch].duplicates += 1 } else { outcomes[candidate.batch].stored += 1 }
        }
        return outcomes
    }

    private struct Candidate {
        let key: MessageKey
        let batch: Int
        let message: Int
        /// A hash of the key that is the same in every process (unlike `hashValue`).
        let stableHash: UInt64

        init(key: MessageKey, batch: Int, message: Int) {
            self.key = key
            self.batch = batch
            self.message = message
            var hasher = FNV1a()
            withUnsafeBytes(of: key.workspaceID.uuid) { hasher.combine($0) }
            withUnsafeBytes(of: key.sourceID.uuid) { hasher.combine($0) }
            hasher.combine(key.messageId)
            stableHash = hasher.value
        }

        /// A fixed order, the same in every process, so two writers claiming overlapping ids lock them in the
        /// same order: by the stable hash, then (rarely needed) the texts. Pairs of hash and position are
        /// sorted rather than the candidates themselves, which moving and comparing through a closure cost
        /// more than the rest of the group's bookkeeping.
        static func inLockOrder(_ candidates: [Candidate]) -> [Candidate] {
            var order = candidates.indices.map { (hash: candidates[$0].stableHash, position: $0) }
            order.sort { $0.hash < $1.hash }
            var start = 0
            while start < order.count {
                var end = start + 1
                while end < order.count, order[end].hash == order[start].hash { end += 1 }
                if end - start > 1 {
                    order[start..<end].sort { candidates[$0.position].key < candidates[$1.position].key }
                }
                start = end
            }
            return order.map { candidates[$0.position] }
        }
    }

    /// What a message id is unique in: ids are deduplicated per source, so one source (a browser key anyone
    /// may hold) cannot make another's messages repeats.
    fileprivate struct MessageKey: Hashable, Comparable {
        let workspaceID: UUID
        let sourceID: UUID
        let messageId: String

        static func < (a: MessageKey, b: MessageKey) -> Bool {
            (a.workspaceID, a.sourceID, a.messageId) < (b.workspaceID, b.sourceID, b.messageId)
        }
    }

    /// Claims the ids, inserts the events of those claimed and appends their outbox rows, in one statement
    /// and one round trip: `InsertNewEvents` when `tryingNewFirst`, and `ClaimAndInsertEvents` when that
    /// finds a repeat (or is not tried). Their consumers are woken once it commits. Returns the repeats:
    /// the messages not stored.
    private func claimAndInsert(
        _ rows: [(batch: WriteBatch, message: PreparedMessage)], on connection: PostgresConnection, tryingNewFirst: Bool
    ) async throws -> Set<MessageKey> {
        guard !rows.isEmpty else { return [] }
        let columns = GroupColumns(rows)
        var repeats: Set<MessageKey> = []
        let storedAsNew = tryingNewFirst ? try await insertNew(columns, on: connection) : false
        if !storedAsNew {
            let statement = ClaimAndInsertEvents(columns: columns, window: "\(dedupWindowDays) days")
            for (workspaceID, sourceID, messageId) in try await connection.rows(statement, logger: logger) {
                repeats.insert(MessageKey(workspaceID: workspaceID, sourceID: sourceID, messageId: messageId))
            }
        }
        let storedPartitions = repeats.isEmpty
            ? columns.partitions
            : zip(rows, columns.partitions).filter { row, _ in !repeats.contains(MessageKey(row.batch, row.message)) }.map(\.1)
        Outbox.announce(.events, partitions: storedPartitions, via: database, logger: logger)
        return repeats
    }

    /// Whether `InsertNewEvents` stored the group, which it does unless some id was a repeat.
    private func insertNew(_ columns: GroupColumns, on connection: PostgresConnection) async throws -> Bool {
        do {
            _ = try await connection.rows(InsertNewEvents(columns: columns), logger: logger)
            return true
        } catch where InsertNewEvents.foundRepeat(error) {
            Counter(label: "kinship_ingestion_repeat_rewrites_total").increment()
            return false
        }
    }

    private func insertFailures(_ batches: [WriteBatch], on connection: PostgresConnection) async throws {
        let rows = batches.flatMap { batch in batch.failures.map { (batch, $0) } }
        guard !rows.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO failed_events (workspace_id, source_id, received_at, error_code, error_message, payload_sealed)
            SELECT w, s, r, c, m, decode(p, 'base64') FROM unnest(
                \(rows.map(\.0.source.workspaceID))::uuid[], \(rows.map(\.0.source.id))::uuid[], \(rows.map(\.0.receivedAt))::timestamptz[],
                \(rows.map(\.1.code))::text[], \(rows.map(\.1.message))::text[], \(rows.map { $0.1.sealedPayload.base64String })::text[]
            ) AS f(w, s, r, c, m, p)
            """,
            logger: logger
        )
        Counter(label: "kinship_ingestion_failed_events_total").increment(by: rows.count)
    }
}

private extension EventWriter.MessageKey {
    init(_ batch: WriteBatch, _ message: PreparedMessage) {
        self.init(workspaceID: batch.source.workspaceID, sourceID: batch.source.id, messageId: message.messageId)
    }
}
