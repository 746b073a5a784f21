import Crypto
import Foundation
import KinshipCore

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
        Data(try seal(plaintext, key: key, authenticated: authenticatedData(keyID: keyID, context: context), nonce: nonce))
    }

    /// What a value's tag covers: the header (`version ‖ keyID`) and the caller's context.
    static func authenticatedData(keyID: KeyID, context: some Collection<UInt8>) -> [UInt8] {
        var authenticated: [UInt8] = []
        authenticated.reserveCapacity(headerCount + context.count)
        authenticated.append(version)
        authenticated.append(contentsOf: keyID.bytes)
        authenticated.append(contentsOf: context)
        return authenticated
    }

    /// Seals under `authenticated`, which starts with the header (`authenticatedData`), as bytes: callers
    /// that seal many values build that once and keep `Data` out of the way (its bookkeeping showed in
    /// per-event profiles beside the cipher itself).
    static func seal(_ plaintext: some DataProtocol, key: SymmetricKey, authenticated: [UInt8], nonce: AES.GCM.Nonce = NonceSource.next()) throws -> [UInt8] {
        let box = try AES.GCM.seal(plaintext, using: key, nonce: nonce, authenticating: authenticated)
        var sealed: [UInt8] = []
        sealed.reserveCapacity(headerCount + 12 + plaintext.count + 16)
        sealed.append(contentsOf: authenticated[..<headerCount])
        // A 12-byte nonce (all of ours) always has a combined form.
        box.combined!.withUnsafeBytes { sealed.append(contentsOf: $0) }
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
