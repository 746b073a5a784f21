import Crypto
import Foundation

/// A keyed HMAC-SHA256 token of an identifier, to find it without storing it in clear.
///
/// The identifier type is part of the input, so an e-mail and a user id with the same text get different tokens.
public struct BlindIndex: Sendable {
    let key: SymmetricKey

    public init(key: SymmetricKey) {
        self.key = key
    }

    public func token(type: String, normalizedValue: String) -> Data {
        mac(Data(type.utf8) + Data([0]) + Data(normalizedValue.utf8))
    }

    func mac(_ message: Data) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }
}
