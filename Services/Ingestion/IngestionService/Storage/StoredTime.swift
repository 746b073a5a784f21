import Foundation
import KinshipCore
import NIOCore
import PostgresNIO

/// A time as ingestion stores it: the canonical text that the message JSON and the outbox reference carry,
/// and the same millisecond bound to Postgres as a binary `timestamptz`. Both come from one count of
/// milliseconds, so the column always equals the text (identity finds an event by the reference's
/// `receivedAt`), and Postgres does not parse the text of every row's times.
struct StoredTime: Sendable, Equatable {
    let text: String
    let milliseconds: Int

    init(_ date: Date) {
        milliseconds = Timestamp.milliseconds(date)
        text = Timestamp.format(milliseconds: milliseconds)
    }
}

extension StoredTime: PostgresArrayEncodable, PostgresNonThrowingEncodable {
    static var psqlType: PostgresDataType { .timestamptz }
    static var psqlFormat: PostgresFormat { .binary }
    static var psqlArrayType: PostgresDataType { .timestamptzArray }

    /// Postgres counts microseconds from 2000-01-01 UTC.
    private static let postgresEpochMilliseconds = 946_684_800_000

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(Int64(milliseconds - Self.postgresEpochMilliseconds) * 1000)
    }
}
