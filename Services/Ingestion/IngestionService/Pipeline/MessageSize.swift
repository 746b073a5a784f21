import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService

/// A message's size as compact JSON and whether it holds U+0000, in one walk that allocates nothing:
/// the size limit is checked on every message, and serialising each one only to count its bytes cost
/// more than the rest of the checks together.
struct MessageSize {
    private(set) var bytes = 0
    private(set) var containsNUL = false

    init(_ value: JSONValue) {
        add(value)
    }

    /// The byte count of `value` as `JSONValue.write(into:)` writes it.
    private mutating func add(_ value: JSONValue) {
        switch value {
        case .null: bytes += 4
        case .bool(let flag): bytes += flag ? 4 : 5
        case .number(let number): bytes += Self.count(number)
        case .string(let text): add(text)
        case .array(let values):
            bytes += 2 + max(0, values.count - 1)
            for child in values { add(child) }
        case .object(let object):
            bytes += 2 + max(0, object.count - 1)
            for (key, child) in object {
                add(key)
                bytes += 1
                add(child)
            }
        }
    }

    private mutating func add(_ text: String) {
        var text = text
        // On the contiguous UTF-8 (native strings already are): iterating `utf8` cost more than the rest of the walk.
        let (count, nul) = text.withUTF8 { Self.measure($0) }
        bytes += count
        if nul { containsNUL = true }
    }

    /// The bytes of a string as JSON, quotes included, and whether it holds U+0000.
    private static func measure(_ units: UnsafeBufferPointer<UInt8>) -> (count: Int, containsNUL: Bool) {
        var count = 2 + units.count
        var containsNUL = false
        for byte in units where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            if byte == 0 { containsNUL = true }
            // " \\ \n \r \t \b \f take two bytes; other control characters \u00XX six.
            count += byte >= 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 || byte == 0x08 || byte == 0x0C ? 1 : 5
        }
        return (count, containsNUL)
    }

    private static func count(_ number: Double) -> Int {
        guard number.isFinite else { return 4 }
        guard number.rounded() == number, abs(number) < 1e15 else { return number.description.utf8.count }
        var magnitude = Int64(number).magnitude
        var digits = number < 0 ? 2 : 1
        while magnitude >= 10 {
            magnitude /= 10
            digits += 1
        }
        return digits
    }
}
