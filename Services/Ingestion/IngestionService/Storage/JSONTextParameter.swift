import NIOCore
import PostgresNIO

/// JSON text bound as a `text` parameter, written straight from the bytes a request rendered: no `String`
/// is made and validated for each event. The statements cast each row's text to `jsonb` as they insert it
/// (`m::jsonb`), so Postgres parses one message at a time in memory it frees after each row, as a `COPY`
/// does. Bound as `jsonb[]`, every message of a group was parsed while the array was received, all kept
/// until the statement ended: megabytes per statement that the server's allocator took from the kernel
/// and faulted in again for the next one.
struct JSONTextParameter: PostgresArrayEncodable, PostgresNonThrowingEncodable {
    static var psqlType: PostgresDataType { .text }
    static var psqlFormat: PostgresFormat { .binary }
    static var psqlArrayType: PostgresDataType { .textArray }

    let json: [UInt8]

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeBytes(json)
    }
}
