import Foundation

/// An IPv4 or IPv6 address parsed strictly from text and printed back in one canonical form.
///
/// IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`, what a dual-stack socket reports for an IPv4 client)
/// are IPv4: the same client must give the same stored address whichever way it was reached.
enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(UInt32)
    case v6([UInt16])  // always eight groups

    init?(_ text: some StringProtocol) {
        if text.contains(":") {
            guard let groups = Self.parseV6(Substring(text)) else { return nil }
            let isMapped = groups[0..<5].allSatisfy { $0 == 0 } && groups[5] == 0xFFFF
            self = isMapped ? .v4(UInt32(groups[6]) << 16 | UInt32(groups[7])) : .v6(groups)
        } else {
            guard let value = Self.parseV4(Substring(text)) else { return nil }
            self = .v4(value)
        }
    }

    /// Dotted decimal for IPv4; RFC 5952 for IPv6 (lowercase, no leading zeros, the longest run of two or more
    /// zero groups, the first of equals, written as `::`).
    var description: String {
        switch self {
        case .v4(let value):
            return [24, 16, 8, 0].map { String((value >> UInt32($0)) & 0xFF) }.joined(separator: ".")
        case .v6(let groups):
            let run = Self.longestZeroRun(groups)
            let hex = groups.map { String($0, radix: 16) }
            guard let run, run.count >= 2 else { return hex.joined(separator: ":") }
            let head = hex[..<run.lowerBound].joined(separator: ":")
            let tail = hex[run.upperBound...].joined(separator: ":")
            return head + "::" + tail
        }
    }

    /// The network part only: the /24 of an IPv4 address, the /48 of an IPv6 one, as Google Analytics anonymises.
    var anonymized: IPAddress {
        switch self {
        case .v4(let value): return .v4(value & 0xFFFF_FF00)
        case .v6(let groups): return .v6(Array(groups[0..<3]) + [0, 0, 0, 0, 0])
        }
    }

    /// Four decimal parts of 0–255; leading zeros are refused since some parsers read them as octal.
    private static func parseV4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  part.count == 1 || part.first != "0", let octet = UInt32(part), octet <= 255
            else { return nil }
            value = value << 8 | octet
        }
        return value
    }

    private static func parseV6(_ text: Substring) -> [UInt16]? {
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        guard let head = parseGroups(Substring(halves[0]), allowsV4Tail: halves.count == 1) else { return nil }
        if halves.count == 1 {
            return head.count == 8 ? head : nil
        }
        guard let tail = parseGroups(Substring(halves[1]), allowsV4Tail: true) else { return nil }
        // "::" stands for at least one zero group.
        guard head.count + tail.count <= 7 else { return nil }
        return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
    }

    /// Colon-separated groups of 1–4 hex digits; the last may be an IPv4 address standing for two groups.
    private static func parseGroups(_ text: Substring, allowsV4Tail: Bool) -> [UInt16]? {
        if text.isEmpty { return [] }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var groups: [UInt16] = []
        for (index, part) in parts.enumerated() {
            if index == parts.count - 1, allowsV4Tail, part.contains(".") {
                guard let v4 = parseV4(part) else { return nil }
                groups += [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
            } else {
                guard (1...4).contains(part.count), part.allSatisfy(\.isHexDigit), let group = UInt16(part, radix: 16)
                else { return nil }
                groups.append(group)
            }
        }
        return groups
    }

    /// The first longest run of zero groups, if any.
    private static func longestZeroRun(_ groups: [UInt16]) -> Range<Int>? {
        var best: Range<Int>?
        var start: Int?
        for index in 0...groups.count {
            if index < groups.count, groups[index] == 0 {
                if start == nil { start = index }
            } else if let runStart = start {
                if (best?.count ?? 0) < index - runStart { best = runStart..<index }
                start = nil
            }
        }
        return best
    }
}
