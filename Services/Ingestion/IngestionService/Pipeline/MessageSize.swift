import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService

/// A message's size as compact JSON, whether it holds U+0000 and whether it holds a key only Kinship
/// may write (`ReservedJSONKey`), in one walk that allocates nothing: the size limit is checked on every
/// message, and serialising each one only to count its bytes cost more than the rest of the checks together.
struct MessageSize: Sendable {
    private(set) var bytes = 0
    private(set) var containsNUL = false
    private(set) var containsReservedKey = false

    init(_ value: JSONValue) {
        add(value)
    }

    /// What the parser found while reading a message's bytes.
    init(bytes: Int, containsNUL: Bool, containsReservedKey: Bool) {
        (self.bytes, self.containsNUL, self.containsReservedKey) = (bytes, containsNUL, containsReservedKey)
    }

    /// Both parts of one message (its own members and the batch's shared ones).
    func adding(_ other: MessageSize) -> MessageSize {
        MessageSize(
            bytes: bytes + other.bytes, containsNUL: containsNUL || other.containsNUL,
            containsReservedKey: containsReservedKey || other.containsReservedKey
        )
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
                if key.utf8.first == UInt8(ascii: "$"), key == ReservedJSONKey.sealed { containsReservedKey = true }
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
