import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy

/// A `User-Agent` header read into browser, operating system and device class, for `context.userAgentParsed`.
///
/// Hand-written token matching rather than a regex database: it knows the browsers and clients our sources
/// send from, and anything else keeps `nil` fields and an `.unknown` device rather than a wrong guess.
struct UserAgent: Sendable, Equatable {
    /// The class of device a request came from.
    enum DeviceType: String, Sendable, CaseIterable {
        case desktop, mobile, tablet, bot, unknown
    }

    var browser: String?
    var browserVersion: String?
    var os: String?
    var osVersion: String?
    var deviceType: DeviceType

    /// The key under `context` where the parsed header is stored.
    ///
    /// Not `context.userAgentData` (browsers' client hints, which analytics.js sends as is) nor `context.device`
    /// (mobile SDKs fill it with their own, better knowledge): a key of our own never overwrites what a client sent.
    static let contextKey = "userAgentParsed"

    init(parsing header: String) {
        let platform = Self.platform(of: header)
        os = platform.os
        osVersion = platform.version
        if let bot = Self.bot(in: header) {
            (browser, browserVersion) = bot
            deviceType = .bot
        } else if let client = Self.browser(in: header) {
            (browser, browserVersion) = client
            deviceType = platform.device
        } else if let library = Self.httpLibrary(in: header) {
            // Server-side senders (curl, SDKs) are not crawlers, and say nothing about a device.
            (browser, browserVersion) = library
            deviceType = .unknown
        } else {
            deviceType = platform.device
        }
    }

    /// The stored form: `browser`, `browserVersion`, `os`, `osVersion` (each absent when unknown) and `deviceType`.
    var contextObject: [String: JSONValue] {
        var object: [String: JSONValue] = ["deviceType": .string(deviceType.rawValue)]
        object["browser"] = browser.map(JSONValue.string)
        object["browserVersion"] = browserVersion.map(JSONValue.string)
        object["os"] = os.map(JSONValue.string)
        object["osVersion"] = osVersion.map(JSONValue.string)
        return object
    }
}

extension UserAgent {
    /// A product token: `Chrome/120.0.0.0` is ("Chrome", "120.0.0.0").
    typealias Product = (name: String, version: String?)

    /// Browsers in the order they must be tried: most browsers also claim to be Chrome and Safari, so the
    /// specific tokens come first and the generic `Chrome/` and `Version/…Safari/` last.
    private static let browserTokens: [(token: String, name: String)] = [
        ("SamsungBrowser/", "Samsung Internet"),
        ("Edg/", "Edge"), ("EdgA/", "Edge"), ("EdgiOS/", "Edge"), ("Edge/", "Edge"),
        ("OPR/", "Opera"), ("Opera/", "Opera"),
        ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"),
        ("Chromium/", "Chromium"),
        ("CriOS/", "Chrome"), ("Chrome/", "Chrome"),
    ]

    private static let libraryTokens: [(token: String, name: String)] = [
        ("curl/", "curl"),
        ("python-requests/", "Python Requests"),
        ("aiohttp/", "aiohttp"),
        ("analytics-python/", "analytics-python"),
    ]

    private static let botWords = ["bot", "crawler", "spider"]

    private static func bot(in header: String) -> Product? {
        if let version = version(after: "Googlebot/", in: header) { return ("Googlebot", version) }
        if let version = version(after: "bingbot/", in: header) { return ("Bingbot", version) }
        let products = header.split(whereSeparator: { " ;()+".contains($0) })
        func isBotName(_ name: Substring) -> Bool {
            let lowered = name.lowercased()
            return botWords.contains(where: lowered.contains) && !lowered.hasPrefix("http")
        }
        // Crawlers name themselves in a `YandexBot/3.0` product token; a bare word is not enough,
        // because phone models such as `CUBOT_X19` contain "bot" too.
        for product in products where product.contains("/") {
            let parts = product.split(separator: "/", maxSplits: 1)
            if isBotName(parts[0]) { return (String(parts[0]), parts.count > 1 ? String(parts[1]) : nil) }
        }
        // Crawlers without a versioned token still link to a page about themselves; browsers never do.
        if header.lowercased().contains("http"), let name = products.first(where: isBotName) {
            return (String(name), nil)
        }
        return nil
    }

    private static func browser(in header: String) -> Product? {
        // In-app browsers of Meta's apps embed a Chrome or Safari web view: the app is what the user sees.
        if header.contains("Instagram ") {
            return ("Instagram", word(after: "Instagram ", in: header))
        }
        if header.contains("FBAN/") || header.contains("FB_IAB/") || header.contains("FBAV/") {
            return ("Facebook", version(after: "FBAV/", in: header))
        }
        for (token, name) in browserTokens {
            if let version = version(after: token, in: header) { return (name, version) }
        }
        if header.contains("Safari/"), let version = version(after: "Version/", in: header) {
            return ("Safari", version)
        }
        return nil
    }

    private static func httpLibrary(in header: String) -> Product? {
        for (token, name) in libraryTokens {
            if let version = version(after: token, in: header) { return (name, version) }
        }
        return nil
    }

    /// The version text that follows `token` (which ends in `/`), up to the next separator.
    static func version(after token: String, in header: String) -> String? {
        guard header.contains(token) else { return nil }
        let version = word(after: token, in: header) ?? ""
        return version.isEmpty ? nil : version
    }

    /// The text after the first `marker`, up to a space, `;`, `)` or `,`.
    static func word(after marker: String, in header: String) -> String? {
        guard let range = header.range(of: marker) else { return nil }
        let rest = header[range.upperBound...]
        let word = rest.prefix(while: { !" ;),".contains($0) })
        return word.isEmpty ? nil : String(word)
    }
}
