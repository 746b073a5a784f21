import Foundation

extension JSONValue {
    /// Parses one RFC 8259 JSON text, refusing invalid UTF-8, lone surrogates, nesting deeper than 128 and trailing bytes.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws -> JSONValue {
        var parser = JSONByteParser(bytes)
        return try parser.parseDocument()
    }

    /// Parses one JSON text held in `data`.
    public static func parse(_ data: Data) throws -> JSONValue {
        try data.withUnsafeBytes { try parse($0) }
    }

    /// Parses one JSON text held in `bytes`.
    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBytes { try parse($0) }
    }

    /// Parses one JSON text held in `text`.
    public static func parse(_ text: String) throws -> JSONValue {
        var text = text
        return try text.withUTF8 { try parse(UnsafeRawBufferPointer($0)) }
    }
}

/// A recursive-descent parser over raw bytes; positions are byte offsets so errors can name them.
struct JSONByteParser {
    static let maximumDepth = 128

    let bytes: UnsafeRawBufferPointer
    var index = 0
    var depth = 0
    /// Reused for strings that contain escapes; strings without escapes are copied straight from the input.
    var scratch: [UInt8] = []
    /// Set once a `\u0000` escape is read (a raw NUL byte is refused as a control character).
    var decodedNUL = false
    /// Set once an object key equal to `ReservedJSONKey.sealed` is read or skipped, at any depth.
    var readReservedKey = false

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    func failure(_ what: String, at offset: Int? = nil) -> KinshipError {
        .badRequest(.invalidJSON, "The body is not valid JSON: \(what) at byte \(offset ?? index).")
    }

    mutating func parseDocument() throws -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw failure("empty input") }
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw failure("unexpected data after the value") }
        return value
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func parseValue() throws -> JSONValue {
        guard index < bytes.count else { throw failure("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw failure("unexpected character")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw failure("invalid literal") }
        let start = literal.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] {
            throw failure("invalid literal", at: index + offset)
        }
        index += count
    }

    mutating func enterContainer() throws {
        depth += 1
        guard depth <= Self.maximumDepth else { throw failure("nesting deeper than \(Self.maximumDepth)") }
    }

    /// At a container's opening byte: enters it and moves past it; true when it closes at once (empty).
    /// Parsing, skipping and `JSONReader` walk containers through this and the two below.
    @inline(__always)
    mutating func opensEmpty(closing: UInt8) throws -> Bool {
        try enterContainer()
        index += 1
        skipWhitespace()
        guard index < bytes.count, bytes[index] == closing else { return false }
        index += 1
        depth -= 1
        return true
    }

    /// At an object member: its key's opening quote is next.
    @inline(__always)
    mutating func expectKey() throws {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a string key") }
    }

    /// After a member's key: moves past the colon to its value.
    @inline(__always)
    mutating func passColon() throws {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':'") }
        index += 1
        skipWhitespace()
    }

    /// After a member or element: true at a comma (moved past it), false once the container closes.
    @inline(__always)
    mutating func continues(closing: UInt8, _ container: StaticString) throws -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw failure("unterminated \(container)") }
        switch bytes[index] {
        case UInt8(ascii: ","):
            index += 1
            return true
        case closing:
            index += 1
            depth -= 1
            return false
        default: throw failure("expected ',' or '\(Character(Unicode.Scalar(closing)))'")
        }
    }

    mutating func parseArray() throws -> JSONValue {
        var elements: [JSONValue] = []
        if try opensEmpty(closing: UInt8(ascii: "]")) { return .array(elements) }
        elements.reserveCapacity(4)
        repeat {
            skipWhitespace()
            elements.append(try parseValue())
        } while try continues(closing: UInt8(ascii: "]"), "array")
        return .array(elements)
    }

    mutating func parseObject() throws -> JSONValue {
        if try opensEmpty(closing: UInt8(ascii: "}")) { return .object([:]) }
        // Through the initialiser: `reserveCapacity` looked up its generic metadata on every call.
        var object = [String: JSONValue](minimumCapacity: 8)
        repeat {
            try expectKey()
            let key = try parseString()
            noteKey(key)
            try passColon()
            object[key] = try parseValue()
        } while try continues(closing: UInt8(ascii: "}"), "object")
        return .object(object)
    }

    /// Marks a key the platform reserves; a first-byte test keeps it off every other key's path.
    @inline(__always)
    mutating func noteKey(_ key: String) {
        if key.utf8.first == UInt8(ascii: "$"), key == ReservedJSONKey.sealed { readReservedKey = true }
    }

    mutating func parseString() throws -> String {
        let opening = index
        index += 1
        let start = index
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                index += 1
                return try makeString(slice, ascii: ascii, at: start)
            }
            if byte == UInt8(ascii: "\\") {
                return try parseEscapedString(from: start)
            }
            if byte < 0x20 { throw failure("control character in string") }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        throw failure("unterminated string", at: opening)
    }

    func makeString(_ slice: UnsafeRawBufferPointer, ascii: Bool, at offset: Int) throws -> String {
        let units = slice.assumingMemoryBound(to: UInt8.self)
        if ascii { return String(decoding: units, as: UTF8.self) }
        guard let text = String(validating: units, as: UTF8.self) else { throw failure("invalid UTF-8 in string", at: offset) }
        return text
    }

    /// The slow path, taken once the first backslash is seen: bytes go through `scratch`.
    mutating func parseEscapedString(from start: Int) throws -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                let result = try scratch.withUnsafeBytes { try makeString($0, ascii: ascii, at: start) }
                return result
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw failure("unterminated escape") }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escaped)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    let scalar = try parseUnicodeEscape()
                    if scalar.value >= 0x80 { ascii = false }
                    appendUTF8(scalar)
                default: throw failure("invalid escape", at: index - 2)
                }
            default:
                if byte < 0x20 { throw failure("control character in string") }
                if byte >= 0x80 { ascii = false }
                scratch.append(byte)
                index += 1
            }
        }
        throw failure("unterminated string", at: start - 1)
    }

    /// Reads the four hex digits after `\u` (and a following low surrogate escape when needed).
    mutating func parseUnicodeEscape() throws -> Unicode.Scalar {
        let escapeStart = index - 2
        let first = try readHex4()
        switch first {
        case 0xD800...0xDBFF:
            guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw failure("lone surrogate", at: escapeStart)
            }
            index += 2
            let second = try readHex4()
            guard (0xDC00...0xDFFF).contains(second) else { throw failure("lone surrogate", at: escapeStart) }
            let value = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            return Unicode.Scalar(value)!
        case 0xDC00...0xDFFF:
            throw failure("lone surrogate", at: escapeStart)
        default:
            if first == 0 { decodedNUL = true }
            return Unicode.Scalar(first)!
        }
    }

    mutating func readHex4() throws -> UInt32 {
        guard bytes.count - index >= 4 else { throw failure("invalid \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    mutating func appendUTF8(_ scalar: Unicode.Scalar) {
        let value = scalar.value
        switch value {
        case ..<0x80:
            scratch.append(UInt8(value))
        case ..<0x800:
            scratch.append(UInt8(0xC0 | value >> 6))
            scratch.append(UInt8(0x80 | value & 0x3F))
        case ..<0x10000:
            scratch.append(UInt8(0xE0 | value >> 12))
            scratch.append(UInt8(0x80 | value >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | value & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | value >> 18))
            scratch.append(UInt8(0x80 | value >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | value >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | value & 0x3F))
        }
    }

    @inline(__always)
    func isDigit(_ offset: Int) -> Bool {
        offset < bytes.count && bytes[offset] &- UInt8(ascii: "0") < 10
    }

    /// Validates the RFC 8259 number grammar; short integers are converted directly, the rest by the standard library.
    mutating func parseNumber() throws -> Double {
        let start = index
        let number = try scanNumber()
        // Up to 15 digits is below 2^53, so the conversion is exact; "-0" must stay negative zero.
        if number.isShortInteger {
            if number.negative { return number.integer == 0 ? -0.0 : -Double(number.integer) }
            return Double(number.integer)
        }
        return try convertNumber(from: start)
    }

    /// What `scanNumber` read: the integer's value when it is short and has no fraction or exponent.
    struct ScannedNumber {
        var negative = false
        var integer: Int64 = 0
        var isShortInteger = true
        var hasExponent = false
        var integerDigits = 0
        var fractionDigits = 0

        /// Only converting it tells whether it fits a Double.
        var mayBeOutOfRange: Bool { hasExponent || integerDigits > 300 }
    }

    /// Moves past one number, refusing what the grammar does not allow.
    mutating func scanNumber() throws -> ScannedNumber {
        let start = index
        var number = ScannedNumber()
        if bytes[index] == UInt8(ascii: "-") {
            number.negative = true
            index += 1
        }
        guard isDigit(index) else { throw failure("invalid number", at: start) }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if isDigit(index) { throw failure("leading zero in number", at: start) }
        } else {
            while isDigit(index) {
                number.integer = number.integer &* 10 &+ Int64(bytes[index] &- UInt8(ascii: "0"))
                index += 1
            }
        }
        number.integerDigits = index - start - (number.negative ? 1 : 0)
        number.isShortInteger = number.integerDigits <= 15
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            number.isShortInteger = false
            index += 1
            guard isDigit(index) else { throw failure("invalid number", at: start) }
            let fractionStart = index
            while isDigit(index) { index += 1 }
            number.fractionDigits = index - fractionStart
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            number.isShortInteger = false
            number.hasExponent = true
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard isDigit(index) else { throw failure("invalid number", at: start) }
            while isDigit(index) { index += 1 }
        }
        return number
    }

    /// The number from `start` to here through the standard library, refused when it is not finite.
    func convertNumber(from start: Int) throws -> Double {
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw failure("number out of range", at: start) }
        return value
    }
}
