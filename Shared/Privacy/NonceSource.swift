import Crypto
import Glibc
import KinshipCore
import Synchronization

/// Random AES-GCM nonces, cut from a buffer of system randomness refilled 4 KB at a time: one
/// `getrandom` call per 341 nonces instead of two per sealed value (ingestion seals several per event).
/// The bytes are the same system CSPRNG's; only the calls are batched.
enum NonceSource {
    private static let byteCount = 12
    private static let refillBytes = 4092

    private struct Buffer {
        var bytes: [UInt8] = []
        var next = 0
    }

    private static let buffer = Mutex(Buffer())

    static func next() -> AES.GCM.Nonce {
        let bytes = buffer.withLock { buffer -> ArraySlice<UInt8> in
            if buffer.next + byteCount > buffer.bytes.count {
                buffer.bytes = systemRandomBytes(refillBytes)
                buffer.next = 0
            }
            defer { buffer.next += byteCount }
            return buffer.bytes[buffer.next..<buffer.next + byteCount]
        }
        // A 12-byte buffer is always a valid GCM nonce.
        return try! AES.GCM.Nonce(data: bytes)
    }

    /// `count` bytes of the system CSPRNG in one call (glibc's `arc4random_buf`: `getrandom` underneath),
    /// where Swift's generator asks for 8 bytes at a time.
    private static func systemRandomBytes(_ count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { bytes, initialized in
            arc4random_buf(bytes.baseAddress!, count)
            initialized = count
        }
    }
}
