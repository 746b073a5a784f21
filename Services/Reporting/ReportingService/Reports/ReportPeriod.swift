import Foundation

/// A report's time range: events with from <= event_time < to, in UTC.
public struct ReportPeriod: Sendable, Equatable {
    public let from: Date
    public let to: Date

    public init(from: Date, to: Date) {
        self.from = from
        self.to = to
    }

    /// The period of equal length just before.
    public var previous: ReportPeriod {
        ReportPeriod(from: from.addingTimeInterval(-to.timeIntervalSince(from)), to: from)
    }
}
