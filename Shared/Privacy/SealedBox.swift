import Crypto
import Foundation

/// Why a ciphertext could not be opened.
public enum DecryptionError: Error, Sendable, Equatable {
    /// Too short or of an unknown format version.
    case malformed
    /// Sealed under a key this process does not hold (wrong workspace, profile, or a retired master key that was removed).
    case unknownKey(KeyID)
    /// The authentication tag did not verify: the bytes or their context were changed.
    case tampered
}

/// An 8-byte key identifier, carried in clear at the front of every ciphertext so the right key can be found.
public struct KeyID: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 8
    public let bytes: Data

    public init?(bytes: Data) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    public static func random() -> KeyID {
        KeyID(bytes: Data(SymmetricKey(size: .bits128).withUnsafeBytes { Data($0) }.prefix(byteCount)))!
    }

    public var description: String { bytes.hexString }
}

/// The byte layout of every Kinship ciphertext: `version(1) ‖ keyID(8) ‖ nonce(12) ‖ ciphertext ‖ tag(16)` (AES-256-GCM).
///
/// The version and key id are bound into the authenticated data, together with the caller's context
/// (a workspace or profile id, say), so a ciphertext moved to another row or key fails to open.
enum SealedBox {
    static let version: UInt8 = 1
    static let headerCount = 1 + KeyID.byteCount
    static let minimumCount = headerCount + 12 + 16

    static func seal(_ plaintext: some DataProtocol, key: SymmetricKey, keyID: KeyID, context: Data, nonce: AES.GCM.Nonce = NonceSource.next()) throws -> Data {
        // Each buffer made once at its final size: the three concatenations per seal showed in per-event
        // profiles beside the cipher itself.
        var authenticated = Data(capacity: headerCount + context.count)
        authenticated.append(version)
        authenticated.append(keyID.bytes)
        authenticated.append(context)
        let box = try AES.GCM.seal(plaintext, using: key, nonce: nonce, authenticating: authenticated)
        let combined = box.combined!
        var sealed = Data(capacity: headerCount + combined.count)
        sealed.append(authenticated.prefix(headerCount))
        sealed.append(combined)
        return sealed
    }

    /// The key id a ciphertext names, read before choosing a key to open it with.
    static func keyID(of sealed: Data) throws -> KeyID {
        guard sealed.count >= minimumCount, sealed[sealed.startIndex] == version else { throw DecryptionError.malformed }
        let start = sealed.startIndex + 1
        return KeyID(bytes: Data(sealed[start..<start + KeyID.byteCount]))!
    }

    static func open(_ sealed: Data, key: SymmetricKey, context: Data) throws -> Data {
        _ = try keyID(of: sealed)
        let header = Data(sealed.prefix(headerCount))
        do {
            let box = try AES.GCM.SealedBox(combined: sealed.dropFirst(headerCount))
            return try AES.GCM.open(box, using: key, authenticating: header + context)
        } catch {
            throw DecryptionError.tampered
        }
    }
}
