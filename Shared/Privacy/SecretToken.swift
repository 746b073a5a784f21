import Crypto
import Foundation
import KinshipCore

/// Write keys and API keys: random secrets shown once and stored only as a SHA-256 hash.
///
/// 256 random bits make a slow password hash unnecessary: the hash cannot be inverted by guessing.
public enum SecretToken {
    public static func generate(prefix: String) -> String {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        return prefix + bytes.base64URLString
    }

    public static func hash(_ token: String) -> Data {
        Data(SHA256.hash(data: Data(token.utf8)))
    }
}
