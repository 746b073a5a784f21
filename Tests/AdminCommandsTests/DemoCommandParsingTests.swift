import Foundation
import KinshipDemoShop
import Testing
@testable import AdminCommands

struct DemoCommandParsingTests {
    /// Days since 1970-01-01 of a UTC midnight, as Foundation's ISO-8601 parser reads it.
    private func epochDay(_ date: String) throws -> Int {
        let instant = try #require(ISO8601DateFormatter().date(from: date + "T00:00:00Z"))
        return Int(instant.timeIntervalSince1970) / 86_400
    }

    @Test func everyDemoCommandTakesTheSameShopOptions() throws {
        let options = ["--customers", "12", "--days", "7", "--seed", "42", "--end", "2024-03-01"]
        let expected = DemoParameters(customers: 12, days: 7, seed: 42, endDay: try epochDay("2024-03-01"))
        let send = try #require(try KinshipCommand.parseAsRoot(["demo", "send"] + options) as? DemoSendCommand)
        let write = try #require(try KinshipCommand.parseAsRoot(["demo", "write", "--out", "shop"] + options) as? DemoCommand.Write)
        let truth = try #require(try KinshipCommand.parseAsRoot(["demo", "truth"] + options) as? DemoCommand.Truth)
        #expect(send.shop.parameters == expected)
        #expect(write.shop.parameters == expected && write.out == "shop")
        #expect(truth.shop.parameters == expected && truth.out == nil)
    }

    @Test func theDefaultShopIsThreeThousandCustomersOverNinetyDaysEndingTodayInBangkok() throws {
        let truth = try #require(try KinshipCommand.parseAsRoot(["demo", "truth"]) as? DemoCommand.Truth)
        let before = DemoDate.today().day
        let parameters = truth.shop.parameters
        #expect(parameters.customers == 3000 && parameters.days == 90 && parameters.seed == 1)
        #expect(parameters.endDay == before || parameters.endDay == before + 1)  // midnight may pass between the two
    }

    @Test(arguments: [
        ("2024-02-29T16:59:59Z", "2024-02-29"),  // 23:59:59 in Bangkok
        ("2024-02-29T17:00:00Z", "2024-03-01"),  // midnight in Bangkok
        ("2023-12-31T18:30:00Z", "2024-01-01"),
        ("2025-06-15T03:00:00Z", "2025-06-15"),
    ])
    func todayIsTheDateOnABangkokCalendar(_ instant: String, _ date: String) throws {
        let now = try #require(ISO8601DateFormatter().date(from: instant))
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Bangkok")
        formatter.dateFormat = "yyyy-MM-dd"
        #expect(formatter.string(from: now) == date)
        #expect(DemoDate.today(now: now).description == date)
        #expect(DemoDate.today(now: now).day == (try epochDay(date)))
    }

    @Test func endTakesRealDatesWrittenYYYYMMDD() throws {
        for date in ["2000-01-01", "2024-02-29", "2024-12-31", "2099-12-31"] {
            let parsed = try #require(DemoDate(argument: date))
            #expect(parsed.day == (try epochDay(date)), "\(date)")
            #expect(parsed.description == date)
        }
        for date in ["2024-02-30", "2023-02-29", "2024-13-01", "2024-00-10", "2024-2-01", "24-02-01", "2024/02/01",
                     "2024-02-01T00:00", "1999-12-31", "2100-01-01", "+2024-02-01", "２０２４-02-01", ""] {
            #expect(DemoDate(argument: date) == nil, "\(date)")
            #expect(throws: (any Error).self, "\(date)") { try KinshipCommand.parseAsRoot(["demo", "truth", "--end", date]) }
        }
    }

    @Test func shopsOfNoCustomersNoDaysOrBefore2000AreRefused() {
        for options in [["--customers", "0"], ["--days", "0"], ["--seed", "-1"], ["--end", "2000-01-05", "--days", "10"]] {
            #expect(throws: (any Error).self, "\(options)") { try KinshipCommand.parseAsRoot(["demo", "truth"] + options) }
        }
        #expect(throws: Never.self) { try KinshipCommand.parseAsRoot(["demo", "truth", "--end", "2000-01-10", "--days", "10"]) }
    }

    @Test func sendTakesItsDeliveryOptionsButNoWriteKeyOnTheCommandLine() throws {
        let defaults = try #require(try KinshipCommand.parseAsRoot(["demo", "send"]) as? DemoSendCommand)
        #expect(defaults.concurrency == 4 && defaults.rate == nil && defaults.url == nil && defaults.writeKeyFile == nil)
        let given = try #require(try KinshipCommand.parseAsRoot([
            "demo", "send", "--rate", "250", "--concurrency", "8", "--url", "http://127.0.0.1:9090", "--write-key-file", "-",
        ]) as? DemoSendCommand)
        #expect(given.rate == 250 && given.concurrency == 8 && given.url == "http://127.0.0.1:9090" && given.writeKeyFile == "-")
        for options in [["--rate", "0"], ["--rate", "-5"], ["--concurrency", "0"], ["--write-key", "wk_secret"]] {
            #expect(throws: (any Error).self, "\(options)") { try KinshipCommand.parseAsRoot(["demo", "send"] + options) }
        }
        #expect(throws: (any Error).self) { try KinshipCommand.parseAsRoot(["demo", "write"]) }  // --out is required
    }
}
