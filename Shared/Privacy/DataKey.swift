import Crypto
import Foundation
import KinshipCore

/// A 256-bit data key (one per workspace or per profile) that encrypts values; stored only wrapped by the master key.
public struct DataKey: Sendable {
    public let id: KeyID
    let key: SymmetricKey

    init(id: KeyID, key: SymmetricKey) {
        self.id = id
        self.key = key
    }

    public static func generate() -> DataKey {
        DataKey(id: .random(), key: SymmetricKey(size: .bits256))
    }

    /// Encrypts a value; `context` (a workspace or profile id) must be given again to decrypt.
    public func seal(_ plaintext: some DataProtocol, context: Data = Data()) throws -> Data {
        try SealedBox.seal(plaintext, key: key, keyID: id, context: context)
    }

    public func seal(_ text: String, context: Data = Data()) throws -> Data {
        try seal(Data(text.utf8), context: context)
    }

    public func open(_ sealed: Data, context: Data = Data()) throws -> Data {
        let named = try SealedBox.keyID(of: sealed)
        guard named == id else { throw DecryptionError.unknownKey(named) }
        return try SealedBox.open(sealed, key: key, context: context)
    }

    public func openString(_ sealed: Data, context: Data = Data()) throws -> String {
        guard let text = String(data: try open(sealed, context: context), encoding: .utf8) else {
            throw DecryptionError.malformed
        }
        return text
    }

    /// An HMAC blind index keyed by this key (each workspace keeps one key for this purpose alone).
    public var blindIndex: BlindIndex { BlindIndex(key: key) }
}
