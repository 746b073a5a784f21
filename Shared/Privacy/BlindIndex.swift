import Crypto
import Foundation

/// A keyed HMAC-SHA256 token of an identifier, to find it without storing it in clear.
///
/// The identifier type is part of the input, so an e-mail and a user id with the same text get different tokens.
public struct BlindIndex: Sendable {
    /// The HMAC with the key already absorbed, copied for each token: deriving the key's pads again for
    /// every identifier was a third of a token's cost.
    private let keyed: HMAC<SHA256>

    public init(key: SymmetricKey) {
        keyed = HMAC<SHA256>(key: key)
    }

    public func token(type: String, normalizedValue: String) -> Data {
        var mac = keyed
        mac.update(data: Array(type.utf8))
        mac.update(data: [UInt8(0)])
        mac.update(data: Array(normalizedValue.utf8))
        return Data(mac.finalize())
    }

    func mac(_ message: Data) -> Data {
        var mac = keyed
        mac.update(data: message)
        return Data(mac.finalize())
    }
}
