import ArgumentParser
import Foundation
import KinshipDemoShop

/// The options that choose a demo shop, shared by `kinship demo send`, `write` and `truth`: the same
/// options give the same shop, byte for byte.
struct DemoShopOptions: ParsableArguments {
    @Option(help: "Customers: people with an account or a store membership (anonymous visitors come on top).")
    var customers = 3000

    @Option(help: "Days of history, ending with --end.")
    var days = 90

    @Option(help: "The random seed.")
    var seed: UInt64 = 1

    @Option(help: "The last day simulated, YYYY-MM-DD (default: today in Asia/Bangkok).")
    var end: DemoDate?

    func validate() throws {
        guard customers >= 1 else { throw ValidationError("--customers must be at least 1") }
        guard days >= 1 else { throw ValidationError("--days must be at least 1") }
        let first = (end ?? .today()).day - days + 1
        guard first >= DemoDate.earliest.day else {
            throw ValidationError("the shop would begin before \(DemoDate.earliest) (ingestion refuses earlier timestamps): give fewer --days or a later --end")
        }
    }

    var parameters: DemoParameters {
        DemoParameters(customers: customers, days: days, seed: seed, endDay: (end ?? .today()).day)
    }
}

/// A calendar day in the shop's time zone (Asia/Bangkok), as days since 1970-01-01.
struct DemoDate: ExpressibleByArgument, Equatable, CustomStringConvertible {
    let day: Int

    /// Ingestion refuses timestamps before 2000.
    static let earliest = DemoDate(argument: "2000-01-01")!
    /// The shop's time zone has been UTC+7, without daylight saving, since 1920.
    static let utcOffsetSeconds = 7 * 3600

    /// Days are counted in UTC: a date's midnight is a whole number of days after the epoch's.
    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        return calendar
    }()

    init(day: Int) {
        self.day = day
    }

    /// `YYYY-MM-DD`, a real date from 2000 to 2099.
    init?(argument: String) {
        let parts = argument.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.map(\.count) == [4, 2, 2], parts.allSatisfy({ $0.allSatisfy { ("0"..."9").contains($0) } }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (2000...2099).contains(year),
              let date = Self.calendar.date(from: DateComponents(year: year, month: month, day: day)),
              Self.calendar.dateComponents([.year, .month, .day], from: date) == DateComponents(year: year, month: month, day: day)
        else { return nil }
        self.day = Int(date.timeIntervalSince1970) / 86_400
    }

    static func today(now: Date = Date()) -> DemoDate {
        DemoDate(day: Int(((now.timeIntervalSince1970 + Double(utcOffsetSeconds)) / 86_400).rounded(.down)))
    }

    var description: String {
        let date = Self.calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(day) * 86_400))
        return String(format: "%04d-%02d-%02d", date.year ?? 0, date.month ?? 0, date.day ?? 0)
    }
}
