import Foundation
import KinshipCore
import KinshipPrivacy
import Logging
import PostgresNIO

/// A profile's events, newest first, a page at a time: what `event_profiles` attaches to it now.
public enum ProfileEvents {
    /// Where a page ends: the last event's time, arrival and message id, as Postgres wrote them (to the
    /// microsecond), so the next page starts exactly after it.
    public struct Cursor: Codable, Sendable, Equatable {
        let time: String
        let received: String
        let messageId: String

        var encoded: String { (try? JSONCoding.encoder().encode(self))?.base64String ?? "" }

        init(time: String, received: String, messageId: String) {
            self.time = time
            self.received = received
            self.messageId = messageId
        }

        init(decoding text: String) throws {
            // Times as Postgres wrote them (`2026-03-03 10:00:00.123+00`): digits and these few signs only, so a
            // forged cursor is refused here rather than failing its cast in the query.
            let timeCharacters = Set("0123456789-+:. ")
            guard let bytes = text.base64Decoded, let cursor = try? JSONCoding.decoder().decode(Cursor.self, from: Data(bytes)),
                  [cursor.time, cursor.received].allSatisfy({ (10...40).contains($0.count) && $0.allSatisfy(timeCharacters.contains) }),
                  cursor.messageId.utf8.count <= 1000
            else {
                throw KinshipError.badRequest(.invalidParameter, "cursor is not one this API gave.")
            }
            self = cursor
        }
    }

    /// `limit` events of `profile` older than `cursor`; sealed values opened with `opener`, or masked without one.
    public static func page(
        of profile: UUID, in workspaceID: UUID, limit: Int, after cursor: Cursor?, opener: SealedFields?,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> Page<PublicEvent> {
        // Placeholders numbered by hand: the cursor's condition is there only on later pages.
        var binds = PostgresBindings()
        binds.append(workspaceID)
        binds.append(profile)
        var sql = """
            SELECT ep.message_id, e.type, e.event, ep.event_time, ep.received_at, ep.event_time::text, ep.received_at::text, e.message::text
            FROM event_profiles ep
            JOIN events e ON e.workspace_id = ep.workspace_id AND e.received_at = ep.received_at AND e.message_id = ep.message_id
            WHERE ep.workspace_id = $1 AND ep.profile_id = $2
            """
        if let cursor {
            binds.append(cursor.time)
            binds.append(cursor.received)
            binds.append(cursor.messageId)
            sql += " AND (ep.event_time, ep.received_at, ep.message_id) < ($3::timestamptz, $4::timestamptz, $5)"
        }
        binds.append(limit + 1)
        sql += " ORDER BY ep.event_time DESC, ep.received_at DESC, ep.message_id DESC LIMIT $\(binds.count)"
        let query = PostgresQuery(unsafeSQL: sql, binds: binds)
        var events: [PublicEvent] = []
        var last: Cursor?
        for try await (messageId, type, event, time, received, timeText, receivedText, text) in try await connection.query(query, logger: logger)
            .decode((String, String, String?, Date, Date, String, String, String).self) {
            guard events.count < limit else { return Page(items: events, nextCursor: last?.encoded) }
            let stored = try JSONValue.parse(text).objectValue ?? [:]
            let message: JSONValue = if let opener { .object(try opener.openMessage(stored)) } else { SealedFields.masked(.object(stored)) }
            events.append(PublicEvent(
                messageId: messageId, type: type, event: event, timestamp: time, receivedAt: received,
                properties: message["properties"] ?? .object([:]), context: message["context"] ?? .object([:])
            ))
            last = Cursor(time: timeText, received: receivedText, messageId: messageId)
        }
        return Page(items: events, nextCursor: nil)
    }
}
