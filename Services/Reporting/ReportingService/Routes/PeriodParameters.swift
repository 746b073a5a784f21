import Foundation
import Hummingbird
import KinshipCore

/// The `from` and `to` of a request: days (`2026-11-01`, UTC, both included) or ISO-8601 times (`from`
/// included, `to` excluded). The last `defaultDays` days up to now when absent; at most 400 days.
enum PeriodParameters {
    static func period(_ request: Request, defaultDays: Int = 30, now: Date = Date()) throws -> (from: Date, to: Date) {
        let parameters = request.uri.queryParameters
        let to = try parameters.get("to").map { try moment($0, name: "to", endOfDay: true) } ?? now
        let from = try parameters.get("from").map { try moment($0, name: "from", endOfDay: false) } ?? to.addingTimeInterval(-Double(defaultDays) * 86_400)
        guard from < to else { throw KinshipError.badRequest(.invalidParameter, "from must be before to.") }
        guard to.timeIntervalSince(from) <= 400 * 86_400 else { throw KinshipError.badRequest(.invalidParameter, "A period may be at most 400 days.") }
        return (from, to)
    }

    /// A day means its start, or for `to` the start of the next day (so the day is included).
    private static func moment(_ text: String, name: String, endOfDay: Bool) throws -> Date {
        if text.utf8.count == 10, let day = Timestamp.parse(text + "T00:00:00Z") {
            return endOfDay ? day.addingTimeInterval(86_400) : day
        }
        guard let time = Timestamp.parse(text) else {
            throw KinshipError.badRequest(.invalidParameter, "\(name) must be a day (2026-11-01) or an ISO-8601 time (2026-11-01T08:00:00Z).")
        }
        return time
    }
}
