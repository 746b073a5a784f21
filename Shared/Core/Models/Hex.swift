import Foundation

/// The digits of lowercase hexadecimal, indexed by a nibble.
private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

extension Sequence where Element == UInt8 {
    /// Lowercase hexadecimal, two digits per byte (tokens, digests); table-driven, as it runs per event.
    public var hexString: String {
        // Contiguous bytes (Data, arrays: nearly all) are read directly, by non-generic code: through the
        // generic iterator, from another module, it cost more than the HMAC that made the bytes.
        if let text = withContiguousStorageIfAvailable({ hexOfBytes($0) }) { return text }
        return Array(self).withUnsafeBufferPointer(hexOfBytes)
    }
}

private func hexOfBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    hexDigits.withUnsafeBufferPointer { digits in
        String(unsafeUninitializedCapacity: bytes.count * 2) { text in
            var end = 0
            for byte in bytes {
                text[end] = digits[Int(byte >> 4)]
                text[end + 1] = digits[Int(byte & 0x0f)]
                end += 2
            }
            return end
        }
    }
}

extension UUID {
    /// The lower-case form every API, message and sealing context uses, made from the bytes with the
    /// digit table: Foundation's `uuidString` formats through `snprintf`, which showed in per-event profiles.
    public var lowercased: String {
        withUnsafeBytes(of: uuid) { bytes in
            let digits = hexDigits
            var text: [UInt8] = []
            text.reserveCapacity(36)
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
                text.append(digits[Int(byte >> 4)])
                text.append(digits[Int(byte & 0x0f)])
            }
            return String(decoding: text, as: UTF8.self)
        }
    }
}
