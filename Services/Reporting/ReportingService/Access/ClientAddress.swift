import NIOCore

/// Whom failed authentications are counted against: the client's address, an IPv6 one by its /64.
///
/// An IPv6 host is usually given a whole /64 and may take any address in it, so counting per address would
/// give a guesser 2^64 budgets; an IPv4 address mapped into IPv6 (`::ffff:192.0.2.1`, as a dual-stack
/// listener sees IPv4 clients) counts as that IPv4 address.
enum ClientAddress {
    static func rateLimitKey(_ address: SocketAddress?) -> String {
        switch address {
        case .v6(let v6)?:
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            let mappedIPv4Prefix: [UInt8] = Array(repeating: 0, count: 10) + [0xff, 0xff]
            if bytes.count == 16, Array(bytes[..<12]) == mappedIPv4Prefix {
                return bytes[12...].map(String.init).joined(separator: ".")
            }
            let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            return groups.joined(separator: ":") + "::/64"
        case let other?:
            return other.ipAddress ?? "-"
        case nil:
            return "-"
        }
    }
}
