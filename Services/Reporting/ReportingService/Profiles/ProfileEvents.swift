import Foundation
import KinshipCore
import KinshipPrivacy
import KinshipDatabase
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
        let newest = Newest(workspaceID: workspaceID, profile: profile, limit: limit + 1, cursor: cursor)
        let rows = if cursor == nil {
            try await connection.rows(newest, logger: logger)
        } else {
            try await connection.query(PostgresQuery(unsafeSQL: Newest.statement(after: true), binds: newest.makeBindings()), logger: logger)
                .decode(Newest.Row.self).collectAll()
        }
        var events: [PublicEvent] = []
        var last: Cursor?
        for (messageId, type, event, time, received, timeText, receivedText, text) in rows {
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

    /// The newest events of a profile (older than a cursor's when `after`): the page's rows are picked from
    /// `event_profiles` first and only they are read from `events`. The first page, asked for with every
    /// 360 view, is prepared once per connection: planning it over the partitions took longer than running it.
    struct Newest: PostgresPreparedStatement {
        static let sql = statement(after: false)
        typealias Row = (String, String, String?, Date, Date, String, String, String)

        let workspaceID: UUID
        let profile: UUID
        let limit: Int
        /// Set for a later page, which is not prepared (`statement(after: true)`).
        var cursor: Cursor?

        static func statement(after: Bool) -> String {
            """
            SELECT ep.message_id, e.type, e.event, ep.event_time, ep.received_at, ep.event_time::text, ep.received_at::text, e.message::text
            FROM (
                SELECT workspace_id, event_time, received_at, message_id FROM event_profiles
                WHERE workspace_id = $1 AND profile_id = $2\(after ? " AND (event_time, received_at, message_id) < ($4::timestamptz, $5::timestamptz, $6)" : "")
                ORDER BY event_time DESC, received_at DESC, message_id DESC LIMIT $3
            ) AS ep
            JOIN events e ON e.workspace_id = ep.workspace_id AND e.received_at = ep.received_at AND e.message_id = ep.message_id
            ORDER BY ep.event_time DESC, ep.received_at DESC, ep.message_id DESC
            """
        }

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 6)
            bindings.append(workspaceID)
            bindings.append(profile)
            bindings.append(limit)
            if let cursor {
                bindings.append(cursor.time)
                bindings.append(cursor.received)
                bindings.append(cursor.messageId)
            }
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }
}
