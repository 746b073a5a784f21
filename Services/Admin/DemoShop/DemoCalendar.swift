import KinshipCore

/// The simulated days and when things happen on them: weekly and monthly seasonality, the shopping
/// peaks, and the hours people shop. Times are milliseconds since 1970 (UTC); days are the shop's
/// (Asia/Bangkok, UTC+7, which has no daylight saving).
struct DemoCalendar: Sendable {
    static let zoneOffsetMs: Int64 = 7 * 3_600_000
    static let dayMs: Int64 = 86_400_000

    /// Relative weights of Monday … Sunday.
    static let weekdayWeights = [90, 95, 95, 100, 110, 125, 115]
    /// Relative weights of the hours 0–23, Bangkok time: lunch and evening peaks.
    static let hourWeights = [3, 2, 1, 1, 1, 1, 2, 4, 5, 6, 7, 8, 10, 9, 7, 7, 7, 8, 9, 11, 13, 13, 10, 6]

    /// Days since 1970 of the first simulated day; `days` days in all.
    let firstDay: Int
    let days: Int
    /// Cumulative weight of the days before each day (one more entry than days), for drawing a day.
    let cumulative: [Int]
    /// The newsletters sent in the period, in time order.
    private(set) var campaigns: [DemoCampaign] = []

    init(parameters: DemoParameters) {
        days = max(parameters.days, 1)
        firstDay = parameters.endDay - days + 1
        var cumulative = [0]
        cumulative.reserveCapacity(days + 1)
        for offset in 0..<days {
            cumulative.append(cumulative[offset] + Self.weight(ofDay: firstDay + offset))
        }
        self.cumulative = cumulative
        campaigns = DemoCampaign.schedule(self)
    }

    /// How busy a day is, in percent of an ordinary Thursday: the weekday, payday at the end of the month
    /// and its first days, the 15th, and the "double day" sales (9.9, 10.10, 11.11 the largest, 12.12).
    static func weight(ofDay day: Int) -> Int {
        let (_, month, dayOfMonth) = civil(day)
        let weekday = (day + 3) % 7  // 1970-01-01 was a Thursday; 0 = Monday
        var weight = weekdayWeights[weekday]
        let lastDay = Timestamp.daysIn(month: month, year: civil(day).year)
        if dayOfMonth >= 25 && dayOfMonth <= lastDay || dayOfMonth <= 2 { weight = weight * 140 / 100 }
        if dayOfMonth == 15 || dayOfMonth == 16 { weight = weight * 115 / 100 }
        if month == dayOfMonth {
            switch month {
            case 11: weight = weight * 450 / 100
            case 12: weight = weight * 380 / 100
            case 9, 10: weight = weight * 250 / 100
            default: weight = weight * 180 / 100
            }
        }
        return weight
    }

    /// A day offset (0 ..< days) from `from` on, drawn by the days' weights.
    func drawDay(_ random: inout DemoRandom, from: Int = 0) -> Int {
        let start = min(max(from, 0), days - 1)
        let target = cumulative[start] + random.below(cumulative[days] - cumulative[start])
        var low = start, high = days - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if cumulative[middle] <= target { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// A moment on the day `offset` days into the period, at an hour drawn by the hours' weights.
    func drawTime(_ random: inout DemoRandom, dayOffset: Int) -> Int64 {
        let hour = random.weighted(Self.hourWeights)
        let withinHour = Int64(random.below(3_600_000))
        return startOf(dayOffset: dayOffset) + Int64(hour) * 3_600_000 + withinHour
    }

    /// Midnight, Bangkok time, of a day of the period, in UTC milliseconds.
    func startOf(dayOffset: Int) -> Int64 {
        Int64(firstDay + dayOffset) * Self.dayMs - Self.zoneOffsetMs
    }

    /// The first moment after the period.
    var end: Int64 { startOf(dayOffset: days) }
    var start: Int64 { startOf(dayOffset: 0) }

    /// The period's day (0 ..< days) a moment falls on, Bangkok time; may be outside the range.
    func dayOffset(of time: Int64) -> Int {
        Int(Self.floorDivide(time + Self.zoneOffsetMs, Self.dayMs)) - firstDay
    }

    // MARK: - Dates without Foundation (its calendars are slow), with KinshipCore's integer calendar

    static func civil(_ day: Int) -> (year: Int, month: Int, day: Int) {
        Timestamp.civilFromDays(day)
    }

    static func days(year: Int, month: Int, day: Int) -> Int {
        Timestamp.daysFromCivil(year: year, month: month, day: day)
    }

    /// `YYYY-MM-DD` of a day since 1970.
    static func dateText(_ day: Int) -> String {
        let (year, month, dayOfMonth) = civil(day)
        return "\(year)-\(twoDigits(month))-\(twoDigits(dayOfMonth))"
    }

    /// ISO-8601 in UTC with milliseconds, as Segment's libraries write timestamps.
    static func isoText(_ time: Int64) -> String {
        Timestamp.format(milliseconds: Int(time))
    }

    /// The shop's date (Bangkok) of a moment, as `YYYY-MM-DD`.
    static func localDateText(_ time: Int64) -> String {
        dateText(Int(floorDivide(time + zoneOffsetMs, dayMs)))
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }
}
