import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import Logging
import PostgresNIO

/// An ingested event as identity reads it: the parts of the stored message that name or describe the
/// person (`identityParts`), with their PII opened.
struct StoredEvent: Sendable {
    let messageId: String
    let receivedAt: String
    let sourceID: UUID
    let eventTime: Date
    /// The event's name when it is a track event, as `event_profiles.track_event` keeps it beside the profile.
    let trackEvent: String?
    let message: [String: JSONValue]

    /// What resolution reads of a stored message, at the same paths (sealed values are bound to their
    /// path): its type, identifiers and traits. Reading only these spares Postgres printing, and this
    /// service parsing and decrypting, the rest (properties, page, user agent, IP …).
    static let identityParts = """
        jsonb_build_object(
            'type', e.message->'type', 'userId', e.message->'userId', 'anonymousId', e.message->'anonymousId',
            'previousId', e.message->'previousId', 'traits', e.message->'traits',
            'context', jsonb_build_object('traits', e.message->'context'->'traits', 'externalIds', e.message->'context'->'externalIds')
        )::text
        """

    /// A track event's name, NULL for other types.
    static let trackEventColumn = "CASE WHEN e.type = 'track' THEN e.event END"

    /// The events bus references point at, in the references' order; those gone (erased, or pruned by
    /// retention) are left out, and those that cannot be read or opened are returned apart, with why.
    static func load(
        _ references: [EventReference], workspaceID: UUID, keys: WorkspaceKeys, on connection: PostgresConnection, logger: Logger
    ) async throws -> (events: [StoredEvent], rejected: [EventRejection]) {
        guard !references.isEmpty else { return ([], []) }
        let opener = SealedFields(key: keys.dataKey, workspaceID: workspaceID)
        var found: [Int: StoredEvent] = [:]
        var rejected: [EventRejection] = []
        for try await (index, sourceID, eventTime, trackEvent, text) in try await connection.query(
            """
            SELECT n.i::int, e.source_id, e.event_time, \(unescaped: trackEventColumn), \(unescaped: identityParts)
            FROM unnest(\(references.map(\.receivedAt))::timestamptz[], \(references.map(\.messageId))::text[]) WITH ORDINALITY AS n(r, m, i)
            JOIN events e ON e.workspace_id = \(workspaceID) AND e.received_at = n.r AND e.message_id = n.m
            """,
            logger: logger
        ).decode((Int, UUID, Date, String?, String).self) {
            let reference = references[index - 1]
            do {
                let message = try open(text, with: opener)
                found[index - 1] = StoredEvent(
                    messageId: reference.messageId, receivedAt: reference.receivedAt, sourceID: sourceID, eventTime: eventTime, trackEvent: trackEvent,
                    message: message
                )
            } catch {
                rejected.append(EventRejection(workspaceID: workspaceID, reference: reference, reason: unreadable(error)))
            }
        }
        return (references.indices.compactMap { found[$0] }, rejected)
    }

    /// The identity parts of a stored message with their sealed values opened.
    private static func open(_ text: String, with opener: SealedFields) throws -> [String: JSONValue] {
        try opener.openMessage(try JSONValue.parse(text).objectValue ?? [:])
    }

    private static func unreadable(_ error: any Error) -> String {
        switch error {
        case let error as DecryptionError: "a sealed value could not be opened (\(error))"
        default: "the stored message could not be read: \(error)"
        }
    }

    /// Every event resolved to a profile, oldest first (for replaying its traits after a split).
    static func all(of profile: UUID, workspaceID: UUID, keys: WorkspaceKeys, on connection: PostgresConnection, logger: Logger) async throws -> [StoredEvent] {
        let opener = SealedFields(key: keys.dataKey, workspaceID: workspaceID)
        var events: [StoredEvent] = []
        for try await (receivedAt, messageId, sourceID, eventTime, trackEvent, text) in try await connection.query(
            """
            SELECT to_char(e.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), e.message_id, e.source_id, e.event_time,
                   \(unescaped: trackEventColumn), \(unescaped: identityParts)
            FROM event_profiles ep
            JOIN events e ON e.workspace_id = ep.workspace_id AND e.received_at = ep.received_at AND e.message_id = ep.message_id
            WHERE ep.workspace_id = \(workspaceID) AND ep.profile_id = \(profile) ORDER BY ep.event_time
            """,
            logger: logger
        ).decode((String, String, UUID, Date, String?, String).self) {
            // Such an event was rejected when it was resolved, so it never added to the profile.
            guard let message = try? open(text, with: opener) else {
                logger.warning("unreadable event left out", metadata: ["message_id": "\(messageId)"])
                continue
            }
            events.append(StoredEvent(
                messageId: messageId, receivedAt: receivedAt, sourceID: sourceID, eventTime: eventTime, trackEvent: trackEvent, message: message
            ))
        }
        return events
    }

    /// The traits an event states about its person: `traits` of an identify, else `context.traits`.
    var traits: [String: JSONValue] {
        if message["type"]?.stringValue == "identify", let traits = message["traits"]?.objectValue { return traits }
        return message["context"]?["traits"]?.objectValue ?? [:]
    }
}
