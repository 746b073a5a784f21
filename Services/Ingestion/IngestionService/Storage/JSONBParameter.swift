import NIOCore
import PostgresNIO

/// JSON text bound as a `jsonb` parameter in its binary form (a version byte, then the text), written
/// straight from the bytes a request rendered: no `String` is made and validated for each event, and the
/// statement needs no text-to-`jsonb` cast. Postgres still parses and checks the JSON, as it would the text.
struct JSONBParameter: PostgresArrayEncodable, PostgresNonThrowingEncodable {
    static var psqlType: PostgresDataType { .jsonb }
    static var psqlFormat: PostgresFormat { .binary }
    static var psqlArrayType: PostgresDataType { .jsonbArray }

    /// Version 1 is the only binary `jsonb` format: the JSON text follows it.
    private static let version: UInt8 = 1

    let json: [UInt8]

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(Self.version)
        buffer.writeBytes(json)
    }
}
