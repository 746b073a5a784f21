import Foundation
import Hummingbird

/// Where a request carries its source's write key: HTTP Basic (write key as user name, empty
/// password), as Segment's libraries send it, or `writeKey` in the body, as browsers and the pixel do.
enum WriteKey {
    static func fromAuthorization(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let decoded = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
              let credentials = String(data: decoded, encoding: .utf8)
        else { return nil }
        let user = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return user.isEmpty ? nil : user
    }
}
