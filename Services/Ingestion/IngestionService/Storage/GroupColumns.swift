import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import PostgresNIO

/// A group's messages as the columns its write statements bind (`InsertNewEvents`, `ClaimAndInsertEvents`),
/// each filled in one pass over the messages, in the order given (the claims' lock order).
struct GroupColumns: Sendable {
    private(set) var workspaces: [UUID] = []
    private(set) var messageIDs: [String] = []
    private(set) var receivedAts: [StoredTime] = []
    private(set) var sources: [UUID] = []
    private(set) var types: [String] = []
    /// "" for none.
    private(set) var events: [String] = []
    private(set) var eventTimes: [StoredTime] = []
    private(set) var messages: [JSONTextParameter] = []
    /// The outbox messages of the stored events: their topic, and per event its partition, which of the
    /// partition's messages in this statement takes it (its chunk), and its reference.
    let topic = OutboxTopic.events.name
    private(set) var partitions: [Int32] = []
    private(set) var chunks: [Int32] = []
    private(set) var references: [String] = []
    /// The same messages made here, for when every event is stored (nearly always): their workspace, partition
    /// and payload. Building them in SQL (joining the references to the stored rows, grouping, aggregating)
    /// was about a sixth of the statement run alone from `psql`, so it does that only when some event was a repeat.
    private(set) var messageWorkspaces: [UUID] = []
    private(set) var messagePartitions: [Int32] = []
    private(set) var messagePayloads: [JSONTextParameter] = []

    init(_ rows: [(batch: WriteBatch, message: PreparedMessage)]) {
        let most = Int32(EventReference.mostPerMessage)
        // Per workspace and partition: the events it has taken so far, and its last message (an index into
        // `messageReferences`).
        var slots: [PartitionOfWorkspace: (taken: Int32, message: Int)] = [:]
        var messageReferences: [[String]] = []
        for (batch, message) in rows {
            let partition = Int32(OutboxTopic.events.partition(for: message.routingKey))
            workspaces.append(batch.source.workspaceID)
            messageIDs.append(message.messageId)
            receivedAts.append(batch.receivedAt)
            sources.append(batch.source.id)
            types.append(message.type.rawValue)
            events.append(message.event ?? "")
            eventTimes.append(message.eventTime)
            messages.append(JSONTextParameter(json: message.json))
            partitions.append(partition)
            references.append(message.reference)
            let slot = PartitionOfWorkspace(workspace: batch.source.workspaceID, partition: partition)
            var (taken, last) = slots[slot] ?? (0, -1)
            if taken % most == 0 {
                last = messageReferences.count
                messageReferences.append([])
                messageWorkspaces.append(batch.source.workspaceID)
                messagePartitions.append(partition)
            }
            chunks.append(taken / most)
            messageReferences[last].append(message.reference)
            slots[slot] = (taken + 1, last)
        }
        messagePayloads = messageReferences.map { JSONTextParameter(json: Array(EventReference.messagePayload(joining: $0).utf8)) }
    }

    /// The claims' insert, reading `$1`–`$4` (ids are claimed per source), in both statements (the careful
    /// one adds `ON CONFLICT`).
    static let insertClaims = """
        INSERT INTO event_message_ids (workspace_id, source_id, message_id, received_at)
        SELECT unnest($1::uuid[]), unnest($4::uuid[]), unnest($2::text[]), unnest($3::timestamptz[])
        """
    /// The events' insert, reading `$1`–`$8` as `x`, in both statements (the careful one adds a `WHERE` on
    /// `x.w`, `x.s` and `x.i`, the workspace, source and id). Each row's text is cast to `jsonb` as it is inserted.
    static let insertEvents = """
        INSERT INTO events (workspace_id, received_at, message_id, source_id, type, event, event_time, message)
        SELECT x.w, x.r, x.i, x.s, x.t, NULLIF(x.e, ''), x.et, x.m::jsonb FROM (SELECT
            unnest($1::uuid[]) AS w, unnest($3::timestamptz[]) AS r, unnest($2::text[]) AS i, unnest($4::uuid[]) AS s,
            unnest($5::text[]) AS t, unnest($6::text[]) AS e, unnest($7::timestamptz[]) AS et, unnest($8::text[]) AS m
        ) AS x
        """

    /// What both statements bind first, as `$1`–`$12`: the claims' and the events' columns (`$1`–`$8`), the
    /// outbox topic (`$9`), and the outbox messages made here: workspaces, partitions, payloads (`$10`–`$12`).
    func appendSharedBindings(to bindings: inout PostgresBindings) {
        bindings.append(workspaces)
        bindings.append(messageIDs)
        bindings.append(receivedAts)
        bindings.append(sources)
        bindings.append(types)
        bindings.append(events)
        bindings.append(eventTimes)
        bindings.append(messages)
        bindings.append(topic)
        bindings.append(messageWorkspaces)
        bindings.append(messagePartitions)
        bindings.append(messagePayloads)
    }

    private struct PartitionOfWorkspace: Hashable {
        let workspace: UUID
        let partition: Int32
    }
}
