import Shared
import Synchronization

/// Parsed user agents by header: a site's visitors send few distinct headers, and parsing is costly.
/// Bounded: emptied when full, so hostile headers cannot grow it.
final class UserAgentCache: Sendable {
    static let shared = UserAgentCache()
    private static let capacity = 4096
    private let entries = Mutex<[String: [String: JSONValue]]>([:])

    func contextObject(for header: String) -> [String: JSONValue] {
        if let known = entries.withLock({ $0[header] }) { return known }
        let parsed = UserAgent(parsing: header).contextObject
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[header] = parsed
        }
        return parsed
    }
}
