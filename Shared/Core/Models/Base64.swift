import ExtrasBase64

// Kinship's one base64, swift-extras-base64 (RFC 4648): it encodes and decodes bytes without going
// through `Data`, which matters where ingestion encodes every value it seals and reads every request's
// key. Foundation's `base64EncodedString` and `Data(base64Encoded:)` are not used outside tests. The
// wrappers are inlinable so that each caller gets the library's code specialised for its collection.

extension Collection where Element == UInt8 {
    /// Standard base64 with padding, as Foundation's `base64EncodedString()` writes it.
    @inlinable public var base64String: String {
        Base64.encodeToString(bytes: self)
    }

    /// Base64url without padding (RFC 4648 §5): safe in URLs and tokens as it is.
    @inlinable public var base64URLString: String {
        Base64.encodeToString(bytes: self, options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }

    /// The bytes of standard, padded base64 text, or nil when these bytes are not that.
    @inlinable public var base64Decoded: [UInt8]? {
        try? Base64.decode(bytes: self)
    }
}

extension StringProtocol {
    /// The bytes of standard, padded base64 text, or nil when this is not that.
    @inlinable public var base64Decoded: [UInt8]? {
        try? Base64.decode(bytes: utf8)
    }

    /// The bytes of base64 in either alphabet (standard or URL-safe), padded or not: what people paste
    /// into URLs (an e-mail pixel's `data`, say). Nil when this is not base64.
    public var lenientBase64Decoded: [UInt8]? {
        // URL-safe digits become standard ones and padding is dropped: the decoder takes one alphabet.
        var bytes = utf8.map { byte in
            switch byte {
            case UInt8(ascii: "-"): UInt8(ascii: "+")
            case UInt8(ascii: "_"): UInt8(ascii: "/")
            default: byte
            }
        }
        while bytes.last == UInt8(ascii: "=") { bytes.removeLast() }
        return try? Base64.decode(bytes: bytes, options: .omitPaddingCharacter)
    }
}

/// The `Authorization: Basic …` header value for a user name (a write key) and an empty password, as
/// Segment's libraries send it.
public func basicAuthorization(user: String, password: String = "") -> String {
    "Basic " + Array("\(user):\(password)".utf8).base64String
}
