/// Reads one JSON text value by value, for callers that keep some values as the bytes sent instead of
/// parsing them (ingestion passes `properties` without PII through untouched). It validates
/// everything it reads or skips exactly as `JSONValue.parse` does.
public struct JSONReader {
    private var parser: JSONByteParser

    /// `bytes` must outlive the reader.
    public init(_ bytes: UnsafeRawBufferPointer) {
        parser = JSONByteParser(bytes)
    }

    /// Where the reader is, in bytes from the start of the input.
    public var offset: Int { parser.index }

    /// Whether a `\u0000` escape was read or skipped since this was last set to false.
    public var decodedNUL: Bool {
        get { parser.decodedNUL }
        set { parser.decodedNUL = newValue }
    }

    /// Whether an object key equal to `ReservedJSONKey.sealed` was read or skipped since this was last set to false.
    public var readReservedKey: Bool {
        get { parser.readReservedKey }
        set { parser.readReservedKey = newValue }
    }

    /// The next byte that is not whitespace, or nil at the end of the input.
    public mutating func peek() -> UInt8? {
        parser.skipWhitespace()
        return parser.index < parser.bytes.count ? parser.bytes[parser.index] : nil
    }

    /// The next value, parsed.
    public mutating func readValue() throws -> JSONValue {
        parser.skipWhitespace()
        return try parser.parseValue()
    }

    /// Moves past the next value, validating it, and says where it is; `flags` are asked about each key and
    /// string value at any depth (their bytes, when they hold no escape) until one says yes.
    public mutating func skipValue(flagging flags: JSONSkipFlags = JSONSkipFlags()) throws -> SkippedJSONValue {
        parser.skipWhitespace()
        return try parser.skipValue(flagging: flags)
    }

    /// Reads the object that comes next, handing each member's key to `member`, which must read or skip its value.
    public mutating func readObject(_ member: (String, inout JSONReader) throws -> Void) throws {
        guard peek() == UInt8(ascii: "{") else { throw parser.failure("expected an object") }
        if try parser.opensEmpty(closing: UInt8(ascii: "}")) { return }
        repeat {
            try parser.expectKey()
            let key = try parser.parseString()
            parser.noteKey(key)
            try parser.passColon()
            try member(key, &self)
        } while try parser.continues(closing: UInt8(ascii: "}"), "object")
    }

    /// Reads the array that comes next, handing each element to `element`, which must read or skip it.
    public mutating func readArray(_ element: (inout JSONReader) throws -> Void) throws {
        guard peek() == UInt8(ascii: "[") else { throw parser.failure("expected an array") }
        if try parser.opensEmpty(closing: UInt8(ascii: "]")) { return }
        repeat {
            try element(&self)
        } while try parser.continues(closing: UInt8(ascii: "]"), "array")
    }

    /// Refuses anything but whitespace after the value read.
    public mutating func finish() throws {
        guard peek() == nil else { throw parser.failure("unexpected data after the value") }
    }
}
