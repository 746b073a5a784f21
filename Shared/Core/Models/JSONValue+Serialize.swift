extension JSONValue {
    /// Compact JSON with object keys sorted, as the project's `JSONEncoder` setup writes it.
    public func serialized() -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        write(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the compact JSON form of this value to `bytes`, object keys sorted unless `sortingKeys` is
    /// false: JSON that only Postgres reads (`jsonb` keeps its own order) is written as the objects hold it,
    /// since sorting every object's keys was a sizeable share of preparing an event.
    public func write(into bytes: inout [UInt8], sortingKeys: Bool = true) {
        switch self {
        case .null:
            bytes.append(contentsOf: "null".utf8)
        case .bool(let value):
            bytes.append(contentsOf: value ? "true".utf8 : "false".utf8)
        case .number(let value):
            Self.writeNumber(value, into: &bytes)
        case .string(let value):
            Self.writeString(value, into: &bytes)
        case .array(let values):
            bytes.append(UInt8(ascii: "["))
            var first = true
            for value in values {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                value.write(into: &bytes, sortingKeys: sortingKeys)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            var first = true
            func member(_ key: String, _ value: JSONValue) {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                Self.writeString(key, into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                value.write(into: &bytes, sortingKeys: sortingKeys)
            }
            if sortingKeys {
                for (key, value) in object.sorted(by: { $0.key < $1.key }) { member(key, value) }
            } else {
                for (key, value) in object { member(key, value) }
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private static func writeNumber(_ value: Double, into bytes: inout [UInt8]) {
        guard value.isFinite else {
            bytes.append(contentsOf: "null".utf8)
            return
        }
        // Integers stay integers on the wire (order ids, counts), not 42.0 — the same rule as `encode(to:)`.
        if value.rounded() == value, abs(value) < 1e15 {
            var magnitude = Int64(value).magnitude
            if value < 0 { bytes.append(UInt8(ascii: "-")) }
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
                var count = 0
                repeat {
                    digits[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                    magnitude /= 10
                    count += 1
                } while magnitude > 0
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[(20 - count)...]))
            }
        } else {
            bytes.append(contentsOf: value.description.utf8)
        }
    }

    private static func writeString(_ value: String, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        // Read in place (native strings, small ones included); a copy for `withUTF8` cost a retain and a
        // uniqueness check per string.
        if value.utf8.withContiguousStorageIfAvailable({ appendEscaped($0, to: &bytes) }) == nil {
            var value = value
            value.withUTF8 { appendEscaped($0, to: &bytes) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends `units` with what JSON must escape escaped, skipping eight bytes at a time past runs that
    /// hold none of it (nearly every string).
    private static func appendEscaped(_ units: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        guard let base = units.baseAddress else { return }
        let raw = UnsafeRawPointer(base)
        var runStart = 0
        var offset = 0
        while offset < units.count {
            if offset + 8 <= units.count, !mayNeedEscaping(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) {
                offset += 8
                continue
            }
            let byte = units[offset]
            offset += 1
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: units[runStart..<(offset - 1)]))
            runStart = offset
            bytes.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            case 0x08: bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(UInt8(ascii: "f"))
            default:
                // Only bytes below 0x20 reach here, so the high digit is 0 or 1.
                bytes.append(contentsOf: "u00".utf8)
                bytes.append(UInt8(ascii: "0") + byte >> 4)
                let low = byte & 0x0F
                bytes.append(low < 10 ? UInt8(ascii: "0") + low : UInt8(ascii: "a") + low - 10)
            }
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: units[runStart...]))
    }

    /// Whether any of eight bytes is below 0x20, a quote or a backslash (exact: the zero-byte tests of
    /// "Bit Twiddling Hacks" answer whether, not where).
    @inline(__always)
    private static func mayNeedEscaping(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let control = (word &- ones &* 0x20) & ~word & highs
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        return control | ((quote &- ones) & ~quote & highs) | ((backslash &- ones) & ~backslash & highs) != 0
    }
}
