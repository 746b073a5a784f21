import Crypto
import Foundation
import KinshipCore

/// The master keys from configuration: the current one wraps new data keys; retired ones still unwrap old ones.
///
/// Rotation: put a new key in `KINSHIP_MASTER_KEY`, move the old one to `KINSHIP_RETIRED_MASTER_KEYS`,
/// run `kinship keys rewrap`, then drop the retired key.
public struct MasterKeyring: Sendable {
    public let currentID: KeyID
    private let keys: [KeyID: SymmetricKey]

    /// - Parameters: `current` and `retired` are raw 32-byte keys.
    public init(current: Data, retired: [Data] = []) throws {
        var keys: [KeyID: SymmetricKey] = [:]
        for raw in [current] + retired {
            guard raw.count == 32 else { throw DecryptionError.malformed }
            keys[Self.keyID(of: raw)] = SymmetricKey(data: raw)
        }
        self.currentID = Self.keyID(of: current)
        self.keys = keys
    }

    /// A master key's id is derived from the key, so configuration needs no separate id to keep in step.
    static func keyID(of raw: Data) -> KeyID {
        KeyID(bytes: Data(SHA256.hash(data: Data("kinship master key id".utf8) + raw).prefix(KeyID.byteCount)))!
    }

    public static func load(from environment: Environment) throws -> MasterKeyring {
        func decode(_ text: String, _ variable: String) throws -> Data {
            guard let raw = text.base64Decoded.map({ Data($0) }), raw.count == 32 else {
                throw ConfigurationError(variable: variable, problem: "must be 32 bytes in base64 (e.g. `openssl rand -base64 32`)")
            }
            return raw
        }
        let current = try decode(environment.required("KINSHIP_MASTER_KEY"), "KINSHIP_MASTER_KEY")
        let retired = try (environment.optional("KINSHIP_RETIRED_MASTER_KEYS") ?? "")
            .split(separator: ",")
            .map { try decode($0.trimmingCharacters(in: .whitespaces), "KINSHIP_RETIRED_MASTER_KEYS") }
        return try MasterKeyring(current: current, retired: retired)
    }

    private static let wrapContext = Data("kinship data key".utf8)

    /// The data key (its id and bytes) sealed under the current master key.
    public func wrap(_ dataKey: DataKey) throws -> Data {
        let plaintext = dataKey.id.bytes + dataKey.key.withUnsafeBytes { Data($0) }
        return try SealedBox.seal(plaintext, key: keys[currentID]!, keyID: currentID, context: Self.wrapContext)
    }

    public func unwrap(_ wrapped: Data) throws -> DataKey {
        let masterID = try SealedBox.keyID(of: wrapped)
        guard let master = keys[masterID] else { throw DecryptionError.unknownKey(masterID) }
        let plaintext = try SealedBox.open(wrapped, key: master, context: Self.wrapContext)
        guard plaintext.count == KeyID.byteCount + 32 else { throw DecryptionError.malformed }
        return DataKey(id: KeyID(bytes: Data(plaintext.prefix(KeyID.byteCount)))!, key: SymmetricKey(data: plaintext.dropFirst(KeyID.byteCount)))
    }

    /// Re-seals a wrapped key under the current master key (rotation); the data key itself is unchanged.
    public func rewrap(_ wrapped: Data) throws -> Data {
        try wrap(unwrap(wrapped))
    }

    /// True when the key was wrapped by an older master key.
    public func needsRewrap(_ wrapped: Data) throws -> Bool {
        try SealedBox.keyID(of: wrapped) != currentID
    }
}
