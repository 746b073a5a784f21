import Crypto
import Foundation
import KinshipCore

/// A keyed HMAC-SHA256 token of an identifier, to find it without storing it in clear.
///
/// The identifier type is part of the input, so an e-mail and a user id with the same text get different tokens.
public struct BlindIndex: Sendable {
    /// SHA-256 with the key's inner and outer pads already absorbed (RFC 2104), copied for each token.
    /// swift-crypto's `HMAC` does the same, but its generic `update` walks the input as `DataProtocol`
    /// regions through unspecialised code, which cost more than the hashing itself (ingestion makes a
    /// token per event, identity several). The known-answer tests hold both to RFC 4231.
    private let inner: SHA256
    private let outer: SHA256

    public init(key: SymmetricKey) {
        // A key longer than a block is hashed first; a shorter one is padded with zeros.
        var block = key.withUnsafeBytes { key -> [UInt8] in
            guard key.count > SHA256.blockByteCount else { return Array(key) }
            var hasher = SHA256()
            hasher.update(bufferPointer: key)
            return hasher.finalize().withUnsafeBytes { Array($0) }
        }
        block += repeatElement(0, count: SHA256.blockByteCount - block.count)
        var inner = SHA256()
        block.map { $0 ^ 0x36 }.withUnsafeBytes { inner.update(bufferPointer: $0) }
        var outer = SHA256()
        block.map { $0 ^ 0x5c }.withUnsafeBytes { outer.update(bufferPointer: $0) }
        self.inner = inner
        self.outer = outer
    }

    public func token(type: String, normalizedValue: String) -> Data {
        var message: [UInt8] = []
        message.reserveCapacity(type.utf8.count + 1 + normalizedValue.utf8.count)
        message.append(contentsOf: type.utf8)
        message.append(0)
        message.append(contentsOf: normalizedValue.utf8)
        return message.withUnsafeBytes(mac)
    }

    func mac(_ message: Data) -> Data {
        message.withUnsafeBytes(mac)
    }

    private func mac(_ message: UnsafeRawBufferPointer) -> Data {
        var inner = self.inner
        inner.update(bufferPointer: message)
        var outer = self.outer
        inner.finalize().withUnsafeBytes { outer.update(bufferPointer: $0) }
        return outer.finalize().withUnsafeBytes { Data($0) }
    }
}
