import Crypto
import Glibc
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

    /// `count` bytes of the kernel's CSPRNG in as few calls as it allows (Swift's generator asks 8 at a time).
    private static func systemRandomBytes(_ count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { bytes, initialized in
            while initialized < count {
                let got = getrandom(bytes.baseAddress! + initialized, count - initialized, 0)
                if got > 0 { initialized += got } else { precondition(errno == EINTR, "getrandom failed: \(errno)") }
            }
        }
    }
}
