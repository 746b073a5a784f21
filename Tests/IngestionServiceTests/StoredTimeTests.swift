import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import KinshipTestSupport
import PostgresNIO
import Testing
@testable import IngestionService

/// Times are written as text in the message and bound to Postgres in binary: both must name the same millisecond.
@Suite struct StoredTimeTests {
    static let dates: [Date] = [
        Date(timeIntervalSince1970: 1_764_563_106.123_9),  // sub-millisecond digits are dropped, as in the text
        Date(timeIntervalSince1970: -0.000_5),  // just before 1970
        Date(timeIntervalSince1970: -1_000_000_000.25),
        Date(timeIntervalSince1970: 946_684_800),  // Postgres's own epoch
        Date(timeIntervalSince1970: 253_402_300_799.999),  // the last millisecond of 9999
    ]

    @Test func theTextIsTheCanonicalFormat() {
        for date in Self.dates {
            #expect(StoredTime(date).text == Timestamp.format(date))
        }
    }

    @Test func postgresReadsTheBinaryAsTheText() async throws {
        try await TestDatabase.withClient { client in
            for time in Self.dates.map(StoredTime.init) {
                let same = try await client.query(
                    "SELECT \(time)::timestamptz = \(time.text)::timestamptz, \([time, time])::timestamptz[] = ARRAY[\(time.text)::timestamptz, \(time.text)::timestamptz]",
                    logger: TestDatabase.logger
                ).decode((Bool, Bool).self).collectAll()
                #expect(same.map { [$0.0, $0.1] } == [[true, true]], "\(time.text)")
            }
        }
    }

    @Test func storedColumnsEqualTheTimesInTheMessage() async throws {
        try await IngestionFixture.run { fixture, client in
            let batch = #"""
            {"batch": [
              {"type": "track", "messageId": "time-1", "userId": "u", "event": "A", "timestamp": "2000-01-01T00:00:00.001Z"},
              {"type": "track", "messageId": "time-2", "userId": "u", "event": "B", "timestamp": "2026-12-01T05:20:26.1239Z"},
              {"type": "track", "messageId": "time-3", "userId": "u", "event": "C"}
            ]}
            """#
            try await client.execute(uri: "/v1/batch", method: .post, headers: fixture.headers(), body: body(batch)) { response in
                let json = try jsonBody(response)
                #expect(json["stored"] == .number(3))
            }
            let rows = try await fixture.database.query(
                """
                SELECT message_id, event_time = (message->>'timestamp')::timestamptz, received_at = (message->>'receivedAt')::timestamptz
                FROM events WHERE workspace_id = \(fixture.workspace.id) ORDER BY message_id
                """,
                logger: TestDatabase.logger
            ).decode((String, Bool, Bool).self).collectAll()
            #expect(rows.map(\.0) == ["time-1", "time-2", "time-3"])
            #expect(rows.allSatisfy { $0.1 && $0.2 }, "\(rows)")
        }
    }
}
