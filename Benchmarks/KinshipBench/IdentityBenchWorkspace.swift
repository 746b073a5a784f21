import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import Logging
import NIOCore
import PostgresNIO

/// The benchmark's workspace and source, with the keys ingestion seals and routes their events with:
/// it writes events exactly as ingestion stores them, without going through ingestion.
struct IdentityBenchWorkspace: Sendable {
    /// The columns of an `events` row, in the order ingestion copies them.
    static let eventColumns = ["workspace_id", "received_at", "message_id", "source_id", "type", "event", "event_time", "message"]

    let workspaceID: UUID
    let sourceID: UUID
    /// As ingestion's source directory makes it: the workspace's data key, the default PII keys.
    let sealing: SealedFields
    let blindIndex: BlindIndex

    init(workspaceID: UUID, sourceID: UUID, keys: WorkspaceKeys) {
        self.workspaceID = workspaceID
        self.sourceID = sourceID
        sealing = SealedFields(key: keys.dataKey, workspaceID: workspaceID)
        blindIndex = keys.blindIndex
    }

    /// Appends the event's `events` row in `COPY` text (its message with identifiers and PII sealed, as
    /// ingestion seals them) and returns its `events` outbox reference, keyed by the blind-index token of
    /// its strongest id as ingestion keys it.
    func store(_ event: BenchEvent, into rows: inout ByteBuffer) throws -> OutboxDraft {
        let sealed = try sealing.sealMessage(event.message)
        let fields: [String?] = [
            workspaceID.uuidString, event.receivedAt, event.messageId, sourceID.uuidString, event.type, event.event, event.eventTime,
            JSONValue.object(sealed).serialized(),
        ]
        for (index, field) in fields.enumerated() {
            if index > 0 { rows.writeString("\t") }
            IngestionBenchmark.writeCopyField(field, to: &rows)
        }
        rows.writeString("\n")
        let key = blindIndex.token(type: event.strongestID.type, normalizedValue: event.strongestID.value).hexString
        let reference = EventReference(messageId: event.messageId, receivedAt: event.receivedAt).payload
        return OutboxDraft(topic: .events, workspaceID: workspaceID, key: key, payload: reference)
    }

    /// Writes rendered events in one transaction, as ingestion's group commit does: their rows with one
    /// `COPY`, their references with one outbox append, grouped as ingestion groups them (consumers are
    /// woken after the commit).
    func write(rows: ByteBuffer, drafts: [OutboxDraft], _ database: PostgresClient, logger: Logger) async throws {
        try await database.transaction(logger: logger) { connection in
            try await connection.copyFrom(table: "events", columns: Self.eventColumns, logger: logger) { writer in
                try await writer.write(rows)
            }
            try await Outbox.append(Self.grouped(drafts), on: connection, logger: logger)
        }
    }

    /// One-reference drafts regrouped as ingestion writes a group commit's: per partition, messages of up to
    /// `EventReference.mostPerMessage` references, in order, each keyed by its first event's key (whose
    /// partition they all share).
    static func grouped(_ drafts: [OutboxDraft]) -> [OutboxDraft] {
        var byPartition: [Int: [OutboxDraft]] = [:]
        for draft in drafts { byPartition[draft.topic.partition(for: draft.key), default: []].append(draft) }
        return byPartition.keys.sorted().flatMap { partition in
            let members = byPartition[partition]!
            return stride(from: 0, to: members.count, by: EventReference.mostPerMessage).map { start in
                let chunk = members[start..<min(start + EventReference.mostPerMessage, members.count)]
                let payload = EventReference.messagePayload(joining: chunk.map(\.payload))
                return OutboxDraft(topic: chunk.first!.topic, workspaceID: chunk.first!.workspaceID, key: chunk.first!.key, payload: payload)
            }
        }
    }
}
