import Foundation

extension UserAgent {
    /// The operating system named in the parenthesised platform part of a `User-Agent`, and the device it implies.
    struct Platform: Equatable {
        var os: String?
        var version: String?
        var device: DeviceType
    }

    /// Checked in this order because the strings overlap: iOS says "like Mac OS X", Android and ChromeOS say "Linux".
    static func platform(of header: String) -> Platform {
        if header.contains("iPad") {
            return Platform(os: "iOS", version: appleVersion(after: "CPU OS ", in: header), device: .tablet)
        }
        if header.contains("iPhone") || header.contains("iPod") {
            return Platform(os: "iOS", version: appleVersion(after: "iPhone OS ", in: header), device: .mobile)
        }
        if header.contains("Android") {
            // Android phones' browsers say "Mobile"; the same browsers on tablets leave it out.
            let device: DeviceType = header.contains("Mobile") ? .mobile : .tablet
            return Platform(os: "Android", version: androidVersion(in: header), device: device)
        }
        if header.contains("Windows Phone") {
            return Platform(os: "Windows Phone", version: word(after: "Windows Phone ", in: header), device: .mobile)
        }
        if let nt = word(after: "Windows NT ", in: header) {
            return Platform(os: "Windows", version: windowsVersions[nt], device: .desktop)
        }
        if header.contains("Windows") {
            return Platform(os: "Windows", version: nil, device: .desktop)
        }
        if header.contains("CrOS ") {
            return Platform(os: "ChromeOS", version: chromeOSVersion(in: header), device: .desktop)
        }
        if header.contains("Macintosh") || header.contains("Mac OS X") {
            return Platform(os: "macOS", version: appleVersion(after: "Mac OS X ", in: header), device: .desktop)
        }
        if header.contains("Linux") || header.contains("X11") {
            return Platform(os: "Linux", version: nil, device: .desktop)
        }
        return Platform(os: nil, version: nil, device: .unknown)
    }

    /// Windows NT kernel versions by marketing name. Windows 11 still sends "NT 10.0", so "10" stands for both.
    private static let windowsVersions: [String: String] = [
        "10.0": "10", "6.3": "8.1", "6.2": "8", "6.1": "7", "6.0": "Vista", "5.2": "XP", "5.1": "XP",
    ]

    /// Apple writes versions with underscores (`10_15_7`, `17_1`); Firefox on macOS writes `10.15`.
    private static func appleVersion(after marker: String, in header: String) -> String? {
        guard let raw = word(after: marker, in: header) else { return nil }
        let version = raw.replacingOccurrences(of: "_", with: ".")
        return version.first?.isNumber == true ? version : nil
    }

    /// `Android 14;`, `Android 10; K` (Chrome's reduced header) or Firefox's `(Android 14; Mobile; …)`.
    private static func androidVersion(in header: String) -> String? {
        guard let version = word(after: "Android ", in: header), version.first?.isNumber == true else { return nil }
        return version
    }

    /// `CrOS x86_64 14541.0.0`: the platform version follows the processor architecture.
    private static func chromeOSVersion(in header: String) -> String? {
        guard let range = header.range(of: "CrOS ") else { return nil }
        let words = header[range.upperBound...].prefix(while: { $0 != ")" && $0 != ";" }).split(separator: " ")
        guard words.count >= 2, words[1].first?.isNumber == true else { return nil }
        return String(words[1])
    }
}
