import Foundation
import Hummingbird

/// Where a request carries its source's write key: HTTP Basic (write key as user name, empty
/// password), as Segment's libraries send it, or `writeKey` in the body, as browsers and the pixel do.
enum WriteKey {
    /// The user name of `Authorization: Basic <base64(user:password)>`, the scheme in any case, blanks
    /// around the token allowed. Read on the header's bytes: through Foundation's character sets it was
    /// a sizeable share of a single event's request.
    static func fromAuthorization(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let bytes = Array(header.utf8)
        let scheme = Array("basic".utf8)
        guard bytes.count > scheme.count, bytes[scheme.count] == UInt8(ascii: " "),
              zip(bytes, scheme).allSatisfy({ $0 | 0x20 == $1 })
        else { return nil }
        func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        var start = scheme.count + 1
        var end = bytes.count
        while start < end, isBlank(bytes[start]) { start += 1 }
        while end > start, isBlank(bytes[end - 1]) { end -= 1 }
        guard let decoded = bytes[start..<end].base64Decoded, let credentials = String(validating: decoded, as: UTF8.self) else { return nil }
        let user = credentials.prefix { $0 != ":" }
        return user.isEmpty ? nil : String(user)
    }
}
