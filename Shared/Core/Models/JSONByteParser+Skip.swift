/// What skipping a value found: where its text is, and what the caller may not want to pass on unparsed.
public struct SkippedJSONValue: Sendable {
    /// The value's bytes in the input.
    public var range: Range<Int>
    /// A string or key somewhere inside holds `\u0000`.
    public var containsNUL = false
    /// A number somewhere inside has an exponent or over 300 digits in a part: as text, Postgres `numeric`
    /// refuses some of them (`1e-99999`), where parsing reads them as the nearest Double.
    public var hasUnusualNumbers = false
    /// A key or a string value somewhere inside was flagged by the caller, or could not be judged without
    /// unescaping it.
    public var flagged = false
}

/// What a caller of `skipValue` wants to hear about: keys and string values, as their bytes (when they
/// hold no escape). Either may be nil.
public struct JSONSkipFlags {
    public var key: ((UnsafeRawBufferPointer) -> Bool)?
    public var string: ((UnsafeRawBufferPointer) -> Bool)?

    public init(key: ((UnsafeRawBufferPointer) -> Bool)? = nil, string: ((UnsafeRawBufferPointer) -> Bool)? = nil) {
        self.key = key
        self.string = string
    }
}

extension JSONByteParser {
    /// Moves past one value, validating it exactly as `parseValue` does but building nothing.
    mutating func skipValue(flagging flags: JSONSkipFlags) throws -> SkippedJSONValue {
        let start = index
        var found = SkippedJSONValue(range: start..<start)
        // The parser's own flag, read for this value alone and kept for whatever came before it.
        let decodedNULBefore = decodedNUL
        decodedNUL = false
        try skip(&found, flagging: flags)
        found.range = start..<index
        found.containsNUL = decodedNUL
        decodedNUL = decodedNUL || decodedNULBefore
        return found
    }

    private mutating func skip(_ found: inout SkippedJSONValue, flagging flags: JSONSkipFlags) throws {
        guard index < bytes.count else { throw failure("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): try skipObject(&found, flagging: flags)
        case UInt8(ascii: "["): try skipArray(&found, flagging: flags)
        case UInt8(ascii: "\""):
            let text = try skipString()
            if let isFlagged = flags.string, !found.flagged {
                // A string with escapes is flagged unjudged, as a key is.
                found.flagged = text.map { isFlagged(UnsafeRawBufferPointer(rebasing: bytes[$0])) } ?? true
            }
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = index
            let number = try scanNumber()
            // Only a number that may not fit a Double is converted, so skipping refuses what parsing refuses.
            if number.mayBeOutOfRange { _ = try convertNumber(from: start) }
            if number.hasExponent || number.integerDigits > 300 || number.fractionDigits > 300 { found.hasUnusualNumbers = true }
        default: throw failure("unexpected character")
        }
    }

    private mutating func skipObject(_ found: inout SkippedJSONValue, flagging flags: JSONSkipFlags) throws {
        if try opensEmpty(closing: UInt8(ascii: "}")) { return }
        repeat {
            try expectKey()
            let keyStart = index
            let key = try skipString()
            if let key {
                let bytes = UnsafeRawBufferPointer(rebasing: bytes[key])
                if bytes.first == UInt8(ascii: "$"), bytes.elementsEqual(ReservedJSONKey.sealed.utf8) { readReservedKey = true }
            } else {
                // Escapes may spell a reserved key (`"\u0024sealed"`): read this rare key as text.
                index = keyStart
                noteKey(try parseString())
            }
            if let isFlagged = flags.key, !found.flagged {
                // A key with escapes is flagged unjudged: the caller parses the value and looks at it itself.
                found.flagged = key.map { isFlagged(UnsafeRawBufferPointer(rebasing: bytes[$0])) } ?? true
            }
            try passColon()
            try skip(&found, flagging: flags)
        } while try continues(closing: UInt8(ascii: "}"), "object")
    }

    private mutating func skipArray(_ found: inout SkippedJSONValue, flagging flags: JSONSkipFlags) throws {
        if try opensEmpty(closing: UInt8(ascii: "]")) { return }
        repeat {
            skipWhitespace()
            try skip(&found, flagging: flags)
        } while try continues(closing: UInt8(ascii: "]"), "array")
    }

    /// Moves past a string, validating it as `parseString` does; returns its content's range when it
    /// holds no escape (its bytes are then its text).
    private mutating func skipString() throws -> Range<Int>? {
        let opening = index
        index += 1
        let start = index
        var ascii = true
        var escaped = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                let content = start..<index
                index += 1
                // Escapes are ASCII, so the content can be checked as it stands.
                if !ascii, !Self.isValidUTF8(UnsafeRawBufferPointer(rebasing: bytes[content])) {
                    throw failure("invalid UTF-8 in string", at: start)
                }
                return escaped ? nil : content
            case UInt8(ascii: "\\"):
                escaped = true
                index += 1
                guard index < bytes.count else { throw failure("unterminated escape") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                case UInt8(ascii: "u"):
                    _ = try parseUnicodeEscape()
                default: throw failure("invalid escape", at: index - 2)
                }
            default:
                if byte < 0x20 { throw failure("control character in string") }
                if byte >= 0x80 { ascii = false }
                index += 1
            }
        }
        throw failure("unterminated string", at: opening)
    }

    /// Well-formed UTF-8 as the standard library's decoder judges it (no overlong forms, surrogates or
    /// scalars past U+10FFFF), without making a string.
    private static func isValidUTF8(_ units: UnsafeRawBufferPointer) -> Bool {
        var iterator = units.makeIterator()
        var decoder = Unicode.UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
