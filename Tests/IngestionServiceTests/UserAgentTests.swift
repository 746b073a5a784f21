import KinshipCore
import Testing
@testable import IngestionService

struct UserAgentTests {
    /// A real header and what a person reading it would say it is.
    struct Case: Sendable, CustomTestStringConvertible {
        let header: String
        let browser: String?
        let browserVersion: String?
        let os: String?
        let osVersion: String?
        let device: UserAgent.DeviceType
        var testDescription: String { "\(browser ?? "nil") on \(os ?? "nil")" }

        init(_ header: String, _ browser: String?, _ browserVersion: String?, _ os: String?, _ osVersion: String?, _ device: UserAgent.DeviceType) {
            (self.header, self.browser, self.browserVersion, self.os, self.osVersion, self.device) = (header, browser, browserVersion, os, osVersion, device)
        }
    }

    static let browsers: [Case] = [
        Case("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
             "Chrome", "120.0.0.0", "Windows", "10", .desktop),
        Case("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
             "Edge", "120.0.2210.91", "Windows", "10", .desktop),
        Case("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19582",
             "Edge", "18.19582", "Windows", "10", .desktop),
        Case("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36 OPR/105.0.0.0",
             "Opera", "105.0.0.0", "Windows", "10", .desktop),
        Case("Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:109.0) Gecko/20100101 Firefox/115.0",
             "Firefox", "115.0", "Windows", "7", .desktop),
        Case("Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 Firefox/121.0",
             "Firefox", "121.0", "macOS", "10.15", .desktop),
        Case("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
             "Safari", "17.1", "macOS", "10.15.7", .desktop),
        Case("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chromium/119.0.6045.159 Chrome/119.0.6045.159 Safari/537.36",
             "Chromium", "119.0.6045.159", "Linux", nil, .desktop),
        Case("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
             "Chrome", "120.0.0.0", "ChromeOS", "14541.0.0", .desktop),
        Case("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
             "Safari", "17.1", "iOS", "17.1", .mobile),
        Case("Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
             "Safari", "16.6", "iOS", "16.6", .tablet),
        Case("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1",
             "Chrome", "120.0.6099.119", "iOS", "17.1", .mobile),
        Case("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/120.0 Mobile/15E148 Safari/605.1.15",
             "Firefox", "120.0", "iOS", "17.1", .mobile),
        Case("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
             "Chrome", "120.0.0.0", "Android", "10", .mobile),
        Case("Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
             "Chrome", "120.0.0.0", "Android", "13", .tablet),
        Case("Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0",
             "Firefox", "121.0", "Android", "14", .mobile),
        Case("Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
             "Samsung Internet", "23.0", "Android", "13", .mobile),
        Case("Mozilla/5.0 (Linux; Android 9; CUBOT_X19) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
             "Chrome", "120.0.0.0", "Android", "9", .mobile),
        Case("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/442.0.0.45.109;FBBV/543210987;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/17.1.2;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5]",
             "Facebook", "442.0.0.45.109", "iOS", "17.1.2", .mobile),
        Case("Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230901.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/117.0.5938.153 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/436.0.0.35.101;]",
             "Facebook", "436.0.0.35.101", "Android", "13", .mobile),
        Case("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 309.1.0.41.113 (iPhone14,2; iOS 17_1; en_US; en; scale=3.00; 1170x2532; 541635890)",
             "Instagram", "309.1.0.41.113", "iOS", "17.1", .mobile),
    ]

    static let automated: [Case] = [
        Case("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Googlebot", "2.1", nil, nil, .bot),
        Case("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.71 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
             "Googlebot", "2.1", "Android", "6.0.1", .bot),
        Case("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "Bingbot", "2.0", nil, nil, .bot),
        Case("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", "YandexBot", "3.0", nil, nil, .bot),
        Case("Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)", "Baiduspider", "2.0", nil, nil, .bot),
        Case("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "Slackbot-LinkExpanding", nil, nil, nil, .bot),
        Case("curl/8.4.0", "curl", "8.4.0", nil, nil, .unknown),
        Case("python-requests/2.31.0", "Python Requests", "2.31.0", nil, nil, .unknown),
        Case("Python/3.11 aiohttp/3.9.1", "aiohttp", "3.9.1", nil, nil, .unknown),
        Case("analytics-python/2.3.2", "analytics-python", "2.3.2", nil, nil, .unknown),
        Case("", nil, nil, nil, nil, .unknown),
        Case("SomethingNew/1.0", nil, nil, nil, nil, .unknown),
    ]

    @Test(arguments: browsers + automated)
    func headerIsReadAsWhatItIs(_ expected: Case) {
        let parsed = UserAgent(parsing: expected.header)
        #expect(parsed.browser == expected.browser)
        #expect(parsed.browserVersion == expected.browserVersion)
        #expect(parsed.os == expected.os)
        #expect(parsed.osVersion == expected.osVersion)
        #expect(parsed.deviceType == expected.device)
    }

    @Test func storedObjectHasEveryKnownFieldAndLeavesOutUnknownOnes() {
        let safari = UserAgent(parsing: Self.browsers[6].header)
        #expect(safari.contextObject == [
            "browser": .string("Safari"), "browserVersion": .string("17.1"),
            "os": .string("macOS"), "osVersion": .string("10.15.7"), "deviceType": .string("desktop"),
        ])
        #expect(UserAgent(parsing: "curl/8.4.0").contextObject == [
            "browser": .string("curl"), "browserVersion": .string("8.4.0"), "deviceType": .string("unknown"),
        ])
        #expect(UserAgent.contextKey == "userAgentParsed")
    }
}
