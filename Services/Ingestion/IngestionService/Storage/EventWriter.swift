import Foundation
import Logging
import Metrics
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

    /// Stores the batches in one transaction and says, per batch, how many were new and how many repeats.
    func store(_ batches: [WriteBatch]) async throws -> [WriteOutcome] {
        var outcomes = Array(repeating: WriteOutcome(), count: batches.count)
        // The first of several equal (workspace, messageId) in the group is the one that may be stored.
        var firsts: [MessageKey: (batch: Int, message: Int)] = [:]
        for (b, batch) in batches.enumerated() {
            for (m, message) in batch.messages.enumerated() {
                let key = MessageKey(workspaceID: batch.source.workspaceID, messageId: message.messageId)
                if firsts[key] == nil { firsts[key] = (b, m) } else { outcomes[b].duplicates += 1 }
            }
        }
        // A fixed order, so two processes inserting overlapping ids lock them in the same order.
        let candidates = firsts.sorted { ($0.key.workspaceID.uuidString, $0.key.messageId) < ($1.key.workspaceID.uuidString, $1.key.messageId) }

        return try await database.transaction(logger: logger) { connection in
            let fresh = try await claimMessageIDs(candidates.map { ($0.key, batches[$0.value.batch].receivedAt) }, on: connection)
            var rows: [(batch: WriteBatch, message: PreparedMessage)] = []
            for (key, position) in candidates {
                if fresh.contains(key) {
                    rows.append((batches[position.batch], batches[position.batch].messages[position.message]))
                    outcomes[position.batch].stored += 1
                } else {
                    outcomes[position.batch].duplicates += 1
                }
            }
            try await insertEvents(rows, on: connection)
            try await Outbox.append(rows.map { row in
                try OutboxDraft(
                    topic: .events, workspaceID: row.batch.source.workspaceID, key: row.message.routingKey,
                    payload: EventReference(messageId: row.message.messageId, receivedAt: row.batch.receivedAt)
                )
            }, on: connection, logger: logger)
            try await insertFailures(batches, on: connection)
            return outcomes
        }
    }

    private struct MessageKey: Hashable {
        let workspaceID: UUID
        let messageId: String
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

    private func insertEvents(_ rows: [(batch: WriteBatch, message: PreparedMessage)], on connection: PostgresConnection) async throws {
        guard !rows.isEmpty else { return }
        let messages = rows.map { JSONValue.object($0.message.stored).serialized() }
        try await connection.query(
            """
            INSERT INTO events (workspace_id, received_at, message_id, source_id, type, event, event_time, message)
            SELECT w, r, i, s, t, NULLIF(e, ''), et, m FROM unnest(
                \(rows.map(\.batch.source.workspaceID))::uuid[], \(rows.map(\.batch.receivedAt))::timestamptz[],
                \(rows.map(\.message.messageId))::text[], \(rows.map(\.batch.source.id))::uuid[],
                \(rows.map(\.message.type.rawValue))::text[], \(rows.map { $0.message.event ?? "" })::text[],
                \(rows.map { Timestamp.format($0.message.eventTime) })::timestamptz[], \(messages)::jsonb[]
            ) AS x(w, r, i, s, t, e, et, m)
            """,
            logger: logger
        )
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
