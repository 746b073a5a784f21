import KinshipCore
import Synchronization

/// Parsed user agents by header: a site's visitors send few distinct headers, and parsing is costly.
/// Bounded: when full, the oldest header makes room, so hostile headers cannot grow it.
final class UserAgentCache: Sendable {
    static let shared = UserAgentCache()
    private let entries = ExpiringCache<String, [String: JSONValue]>(capacity: 4096, lifetime: nil)

    func contextObject(for header: String) -> [String: JSONValue] {
        if let known = entries.value(for: header) { return known }
        let parsed = UserAgent(parsing: header).contextObject
        entries.store(parsed, for: header)
        return parsed
    }
}
