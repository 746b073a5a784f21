import Foundation
import KinshipCore

/// Age and age group from the `birthday` trait as sent (`YYYY-MM-DD`, or an ISO-8601 time whose date counts).
public enum Demographics {
    /// `age` in whole years on `now`'s date in `timeZone`, and `age_group`; empty when the birthday is
    /// missing, unreadable or in the future.
    public static func traits(birthday: JSONValue?, now: Date, timeZone: TimeZone) -> [String: JSONValue] {
        guard let text = birthday?.stringValue, text.utf8.count >= 10 else { return [:] }
        let parts = text.prefix(10).split(separator: "-")
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), (1...31).contains(day)
        else { return [:] }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let today = calendar.dateComponents([.year, .month, .day], from: now)
        guard let thisYear = today.year, let thisMonth = today.month, let thisDay = today.day else { return [:] }
        let age = thisYear - year - ((thisMonth, thisDay) < (month, day) ? 1 : 0)
        guard age >= 0 else { return [:] }
        return ["age": .number(Double(age)), "age_group": .string(group(of: age))]
    }

    static func group(of age: Int) -> String {
        switch age {
        case ..<18: "under 18"
        case 18...24: "18-24"
        case 25...34: "25-34"
        case 35...44: "35-44"
        case 45...54: "45-54"
        case 55...64: "55-64"
        default: "65+"
        }
    }
}
