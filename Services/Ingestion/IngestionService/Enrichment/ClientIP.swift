import Foundation

/// How much of a client's IP address is stored with its events (`context.ip`).
enum IPTruncation: String, Sendable, CaseIterable {
    /// The whole address.
    case none
    /// The network only: the last octet of IPv4 zeroed (/24), IPv6 cut to its first 48 bits (/48).
    case anonymize
    /// No address at all.
    case drop

    /// Reads a setting value (`none`, `anonymize`, `drop`, in any case); nil for anything else.
    init?(setting: String) {
        self.init(rawValue: setting.trimmingCharacters(in: .whitespaces).lowercased())
    }

    /// The text to store for `address`, in canonical form; nil when it is dropped or is not an IP address.
    func apply(to address: String) -> String? {
        guard let parsed = IPAddress(address) else { return nil }
        switch self {
        case .none: return parsed.description
        case .anonymize: return parsed.anonymized.description
        case .drop: return nil
        }
    }
}

/// The client's address, in canonical form, behind `trustedProxies` reverse proxies; nil when it is not valid.
///
/// Each proxy appends the address it was connected from to `X-Forwarded-For`, so with N trusted proxies the
/// Nth entry from the right is what the outermost trusted proxy saw; entries further left come from the client
/// and prove nothing. N = 0 ignores the header and uses `peer`, the address of the TCP connection. When the
/// header has fewer than N entries (a request that came in through an inner proxy), the left-most entry is
/// used, and `peer` when there is no header: like `trust proxy` with a hop count in Express.
///
/// - Parameter forwardedFor: every `X-Forwarded-For` header value, joined with commas in the order received.
func clientAddress(forwardedFor: String?, peer: String?, trustedProxies: Int) -> String? {
    var chosen = peer.map { $0[...] }
    if trustedProxies > 0, let forwardedFor {
        let entries = forwardedFor.split(separator: ",")
        if !entries.isEmpty { chosen = entries[max(entries.count - trustedProxies, 0)] }
    }
    // An invalid entry is not skipped: whatever stands left of it is under the client's control.
    guard let chosen, let address = IPAddress(strippingPort: chosen) else { return nil }
    return address.description
}

extension IPAddress {
    /// Also accepts the forms some proxies write: `203.0.113.7:51234`, `[2001:db8::1]` and `[2001:db8::1]:443`.
    init?(strippingPort text: Substring) {
        var host = text.trimmingSpaces()
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let after = host[host.index(after: close)...]
            guard after.isEmpty || Self.isPort(after) else { return nil }
            host = host[host.index(after: host.startIndex)..<close]
        } else if host.utf8.lazy.filter({ $0 == UInt8(ascii: ":") }).count == 1, let colon = host.firstIndex(of: ":") {
            guard Self.isPort(host[colon...]) else { return nil }
            host = host[..<colon]
        }
        self.init(host)
    }

    /// `:` followed by 1–5 digits.
    private static func isPort(_ text: Substring) -> Bool {
        text.first == ":" && (2...6).contains(text.count) && text.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }
    }
}

extension Substring {
    /// Without the spaces and tabs around it (`CharacterSet.whitespaces`: tab and Unicode's space
    /// separators), without Foundation's cost, which was a fiftieth of a single-event request's CPU.
    func trimmingSpaces() -> Substring {
        func isSpace(_ character: Character) -> Bool {
            character == "\t" || character.unicodeScalars.allSatisfy { $0.properties.generalCategory == .spaceSeparator }
        }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return self[endIndex...] }
        return self[first...last]
    }
}
