/// The standard base64 alphabet (RFC 4648), indexed by six bits.
private let base64Digits: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

extension Array where Element == UInt8 {
    /// Standard base64 with padding, as Foundation's `base64EncodedString()` writes it, without going
    /// through `Data`: ingestion encodes every value it seals, and `Data`'s bookkeeping cost more than the encoding.
    public var base64String: String {
        withUnsafeBufferPointer { bytes in
            base64Digits.withUnsafeBufferPointer { digits in
                String(unsafeUninitializedCapacity: (bytes.count + 2) / 3 * 4) { text in
                    var end = 0
                    var index = 0
                    while index + 3 <= bytes.count {
                        let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
                        text[end] = digits[Int(group >> 18)]
                        text[end + 1] = digits[Int(group >> 12 & 0x3F)]
                        text[end + 2] = digits[Int(group >> 6 & 0x3F)]
                        text[end + 3] = digits[Int(group & 0x3F)]
                        end += 4
                        index += 3
                    }
                    let rest = bytes.count - index
                    if rest > 0 {
                        let group = UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
                        text[end] = digits[Int(group >> 18)]
                        text[end + 1] = digits[Int(group >> 12 & 0x3F)]
                        text[end + 2] = rest == 2 ? digits[Int(group >> 6 & 0x3F)] : UInt8(ascii: "=")
                        text[end + 3] = UInt8(ascii: "=")
                        end += 4
                    }
                    return end
                }
            }
        }
    }
}
