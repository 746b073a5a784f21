import Crypto
import Foundation
import KinshipCore

/// How ad platforms match uploaded audiences: the SHA-256 (lower-case hex) of a normalised e-mail or phone.
/// Google's Customer Match and Meta's Custom Audiences both take it; the value must already be normalised
/// (e-mail trimmed and lower-cased, phone in E.164), as identity stores identifiers.
public enum AudienceHash {
    public static func sha256Hex(_ normalised: String) -> String {
        Data(SHA256.hash(data: Data(normalised.utf8))).hexString
    }
}
