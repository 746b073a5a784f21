import Foundation
import Logging
import Metrics
import NIOCore
import PostgresNIO
import ServiceLifecycle
import Shared

/// Group commit: a few writers each take every request waiting in the `CommitQueue` and store them in
/// one transaction (dedup, events, outbox references, failed events), so throughput does not depend
/// on one WAL flush per request. A request is answered only after its transaction committed.
struct EventWriter: Service {
    let queue: CommitQueue
    let database: PostgresClient
    let logger: Logger
    let writers: Int
    let dedupWindowDays: Int
    /// A write that cannot finish in this time is reported as the database being unavailable (503).
    var deadline: Duration = .seconds(10)

    func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<writers {
                    group.addTask { await writeUntilClosed() }
                }
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

    private func write(_ group: [CommitQueue.Pending]) async {
        do {
            let outcomes = try await DatabaseDeadline.run(deadline) { try await store(group.map(\.batch)) }
            for (pending, outcome) in zip(group, outcomes) { pending.completion.resume(returning: outcome) }
            Recorder(label: "kinship_ingestion_group_commit_requests").record(group.count)
        } catch let error as PSQLError where !error.isConnectionFailure && group.count > 1 {
            // One request's data broke the shared transaction: write each alone, so only it fails.
            logger.warning("group commit failed; writing its requests one by one", metadata: ["error": "\(String(reflecting: error))"])
            for pending in group { await write([pending]) }
        } catch {
            let failure = Self.clientFacing(error)
            if (failure as? KinshipError)?.code == "database_unavailable" {
                logger.error("events not stored: database unavailable", metadata: ["error": "\(String(reflecting: error))"])
            }
            for pending in group { pending.completion.resume(throwing: failure) }
        }
    }

    static func clientFacing(_ error: any Error) -> any Error {
        switch error {
        case let error as PSQLError where error.isConnectionFailure: KinshipError.databaseUnavailable()
        default: error
        }
    }

    /// The columns of an `events` row as `PreparedMessage.eventRow` renders them.
    static let eventColumns = ["workspace_id", "received_at", "message_id", "source_id", "type", "event", "event_time", "message"]

    /// Groups of fewer messages are written by statements: a `COPY` costs two round trips, and round trips
    /// are most of what a lone request waits for. Larger groups go through `COPY`.
    static let smallestCopiedGroup = 32

    /// Stores the batches in one transaction and says, per batch, how many were new and how many repeats.
    ///
    /// A large group is written by `COPY`: ids already in the dedup table are found first (a lookup by
    /// primary key), the new ones are copied in, then their events. Should another writer claim one of
    /// those ids between the lookup and the copy, the copy fails on the primary key and the group is
    /// written again by statements, whose upsert waits for that writer and sees its claim.
    func store(_ batches: [WriteBatch]) async throws -> [WriteOutcome] {
        var outcomes = Array(repeating: WriteOutcome(), count: batches.count)
        // The first of several equal (workspace, messageId) in the group is the one that may be stored.
        var firsts: [MessageKey: (batch: Int, message: Int)] = [:]
        for (b, batch) in batches.enumerated() {
            for (m, message) in batch.messages.enumerated() {
                let key = MessageKey(batch, message)
                if firsts[key] == nil { firsts[key] = (b, m) } else { outcomes[b].duplicates += 1 }
            }
        }
        // A fixed order, so two processes inserting overlapping ids lock them in the same order.
        let candidates = firsts.map { Candidate(key: $0.key, batch: $0.value.batch, message: $0.value.message) }
            .sorted { ($0.key.workspaceID, $0.key.messageId) < ($1.key.workspaceID, $1.key.messageId) }
        guard candidates.count >= Self.smallestCopiedGroup else {
            return try await store(batches, candidates, outcomes, path: .statements)
        }
        do {
            return try await store(batches, candidates, outcomes, path: .copy)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            return try await store(batches, candidates, outcomes, path: .statements)
        }
    }

    private enum WritePath {
        /// Look the ids up, `COPY` the new ones and their events.
        case copy
        /// Upsert the ids, insert the events of those claimed and append their outbox rows, in one statement.
        case statements
    }

    private struct Candidate {
        let key: MessageKey
        let batch: Int
        let message: Int
    }

    private func store(_ batches: [WriteBatch], _ candidates: [Candidate], _ outcomes: [WriteOutcome], path: WritePath) async throws -> [WriteOutcome] {
        let rows = candidates.map { (batch: batches[$0.batch], message: batches[$0.batch].messages[$0.message]) }
        let fresh: Set<MessageKey>
        switch path {
        case .copy:
            fresh = try await database.transaction(logger: logger) { connection in
                let fresh = try await claimByCopy(candidates.map { ($0.key, batches[$0.batch].receivedAt) }, on: connection)
                let stored = rows.filter { fresh.contains(MessageKey($0.batch, $0.message)) }
                try await copyEvents(stored, on: connection)
                try await Outbox.append(stored.map { row in
                    OutboxDraft(topic: .events, workspaceID: row.batch.source.workspaceID, key: row.message.routingKey, payload: row.message.reference)
                }, on: connection, logger: logger)
                try await insertFailures(batches, on: connection)
                return fresh
            }
        case .statements where batches.allSatisfy(\.failures.isEmpty):
            // One statement, committed alone: one round trip.
            fresh = try await database.withConnection { connection in try await claimAndInsert(rows, on: connection) }
        case .statements:
            fresh = try await database.transaction(logger: logger) { connection in
                let fresh = try await claimAndInsert(rows, on: connection)
                try await insertFailures(batches, on: connection)
                return fresh
            }
        }
        var outcomes = outcomes
        for candidate in candidates {
            if fresh.contains(candidate.key) { outcomes[candidate.batch].stored += 1 } else { outcomes[candidate.batch].duplicates += 1 }
        }
        return outcomes
    }

    fileprivate struct MessageKey: Hashable {
        let workspaceID: UUID
        let messageId: String
    }

    /// The ids not yet in the dedup table are copied in; those already there go through the upsert, which
    /// re-arms the ones older than the window. Returns the ids that may be stored.
    private func claimByCopy(_ ids: [(MessageKey, String)], on connection: PostgresConnection) async throws -> Set<MessageKey> {
        guard !ids.isEmpty else { return [] }
        var known: Set<MessageKey> = []
        for (workspaceID, group) in Dictionary(grouping: ids, by: { $0.0.workspaceID }) {
            for try await messageId in try await connection.query(
                // One key probe per id, whatever the statistics say (the `LIMIT` keeps Postgres from turning it
                // into a join): with statistics taken while the table was small, `message_id = ANY(...)` and a
                // join both read every id the workspace had.
                """
                SELECT known.message_id FROM unnest(\(group.map { $0.0.messageId })::text[]) AS sent(message_id)
                CROSS JOIN LATERAL (
                    SELECT message_id FROM event_message_ids WHERE workspace_id = \(workspaceID) AND message_id = sent.message_id LIMIT 1
                ) AS known
                """,
                logger: logger
            ).decode(String.self) {
                known.insert(MessageKey(workspaceID: workspaceID, messageId: messageId))
            }
        }
        var fresh: Set<MessageKey> = []
        if !known.isEmpty { fresh = try await claimMessageIDs(ids.filter { known.contains($0.0) }, on: connection) }
        let new = ids.filter { !known.contains($0.0) }
        guard !new.isEmpty else { return fresh }
        var text = CopyText(reservingCapacity: new.count * 96)
        for (key, receivedAt) in new {
            text.field(key.workspaceID.lowercased)
            text.field(key.messageId)
            text.field(receivedAt)
            text.endRow()
            fresh.insert(key)
        }
        let buffer = ByteBuffer(bytes: text.bytes)
        try await connection.copyFrom(table: "event_message_ids", columns: ["workspace_id", "message_id", "received_at"], logger: logger) { writer in
            try await writer.write(buffer)
        }
        return fresh
    }

    /// Records the ids in the dedup table; returns those that are new, or whose last sighting is older
    /// than the window (so the window is exact, whenever the pruner last ran).
    private func claimMessageIDs(_ ids: [(MessageKey, String)], on connection: PostgresConnection) async throws -> Set<MessageKey> {
        guard !ids.isEmpty else { return [] }
        let window = "\(dedupWindowDays) days"
        var fresh: Set<MessageKey> = []
        for try await (workspaceID, messageId) in try await connection.query(
            """
            INSERT INTO event_message_ids (workspace_id, message_id, received_at)
            SELECT * FROM unnest(\(ids.map(\.0.workspaceID))::uuid[], \(ids.map(\.0.messageId))::text[], \(ids.map(\.1))::timestamptz[])
            ON CONFLICT (workspace_id, message_id) DO UPDATE SET received_at = excluded.received_at
                WHERE event_message_ids.received_at < excluded.received_at - \(window)::interval
            RETURNING workspace_id, message_id
            """,
            logger: logger
        ).decode((UUID, String).self) {
            fresh.insert(MessageKey(workspaceID: workspaceID, messageId: messageId))
        }
        return fresh
    }

    /// The events in one `COPY`.
    private func copyEvents(_ rows: [(batch: WriteBatch, message: PreparedMessage)], on connection: PostgresConnection) async throws {
        guard !rows.isEmpty else { return }
        var text = CopyText(reservingCapacity: rows.reduce(0) { $0 + $1.message.json.count + 160 })
        for (batch, message) in rows {
            text.field(batch.source.workspaceID.lowercased)
            text.field(batch.receivedAt)
            text.field(message.messageId)
            text.field(batch.source.id.lowercased)
            text.field(message.type.rawValue)
            text.field(message.event)
            text.field(message.eventTime)
            text.field(bytes: message.json)
            text.endRow()
        }
        let buffer = ByteBuffer(bytes: text.bytes)
        try await connection.copyFrom(table: "events", columns: Self.eventColumns, logger: logger) { writer in
            try await writer.write(buffer)
        }
    }

    /// Claims the ids (as `claimMessageIDs` does), inserts the events of those claimed and appends their
    /// outbox rows, in one statement and one round trip; their consumers are woken once it commits.
    private func claimAndInsert(_ rows: [(batch: WriteBatch, message: PreparedMessage)], on connection: PostgresConnection) async throws -> Set<MessageKey> {
        guard !rows.isEmpty else { return [] }
        let partitions = rows.map { Int32(OutboxTopic.events.partition(for: $0.message.routingKey)) }
        let statement = ClaimAndInsertEvents(
            workspaces: rows.map(\.batch.source.workspaceID), messageIDs: rows.map(\.message.messageId), receivedAts: rows.map(\.batch.receivedAt),
            window: "\(dedupWindowDays) days", sources: rows.map(\.batch.source.id), types: rows.map(\.message.type.rawValue),
            events: rows.map { $0.message.event ?? "" }, eventTimes: rows.map(\.message.eventTime),
            messages: rows.map { String(decoding: $0.message.json, as: UTF8.self) },
            topic: OutboxTopic.events.name, partitions: partitions, keys: rows.map(\.message.routingKey), references: rows.map(\.message.reference)
        )
        var fresh: Set<MessageKey> = []
        for (workspaceID, messageId) in try await connection.rows(statement, logger: logger) {
            fresh.insert(MessageKey(workspaceID: workspaceID, messageId: messageId))
        }
        let storedPartitions = zip(rows, partitions).filter { row, _ in fresh.contains(MessageKey(row.batch, row.message)) }.map(\.1)
        Outbox.announce(.events, partitions: storedPartitions, via: database, logger: logger)
        return fresh
    }

    private func insertFailures(_ batches: [WriteBatch], on connection: PostgresConnection) async throws {
        let rows = batches.flatMap { batch in batch.failures.map { (batch, $0) } }
        guard !rows.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO failed_events (workspace_id, source_id, received_at, error_code, error_message, payload_sealed)
            SELECT w, s, r, c, m, decode(p, 'base64') FROM unnest(
                \(rows.map(\.0.source.workspaceID))::uuid[], \(rows.map(\.0.source.id))::uuid[], \(rows.map(\.0.receivedAt))::timestamptz[],
                \(rows.map(\.1.code))::text[], \(rows.map(\.1.message))::text[], \(rows.map { $0.1.sealedPayload.base64EncodedString() })::text[]
            ) AS f(w, s, r, c, m, p)
            """,
            logger: logger
        )
        Counter(label: "kinship_ingestion_failed_events_total").increment(by: rows.count)
    }
}

private extension EventWriter.MessageKey {
    init(_ batch: WriteBatch, _ message: PreparedMessage) {
        self.init(workspaceID: batch.source.workspaceID, messageId: message.messageId)
    }
}
