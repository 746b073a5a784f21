import Foundation

/// The retention report's answer: one cohort per interval of the period, with its profiles seen again in
/// each interval from its own to the period's last.
public struct RetentionReportView: Report, Codable, Equatable {
    /// The profiles first seen in one interval.
    public struct Cohort: Codable, Sendable, Equatable {
        public let starts: Date
        /// The cohort's size: the profiles that started in its interval.
        public let profiles: Int
        /// The cohort's profiles that came back in each interval, its own first (equal to `profiles` when
        /// starting and returning are both being seen).
        public let returning: [Int]
        /// returning ÷ profiles per interval; nulls for a cohort without profiles.
        public let rates: [Double?]

        init(starts: Date, profiles: Int, returning: [Int]) {
            self.starts = starts
            self.returning = returning
            self.profiles = profiles
            rates = returning.map { [profiles] in ReportMath.rate($0, of: profiles) }
        }
    }

    public let from: Date
    public let to: Date
    public let interval: ReportInterval
    /// Oldest first.
    public let cohorts: [Cohort]

    public var table: ReportTable {
        let width = cohorts.count
        return ReportTable(
            columns: ["cohort", "profiles"] + (0..<width).map { "interval\($0)" },
            rows: cohorts.map { cohort in
                [ReportCell.time(cohort.starts), ReportCell.count(cohort.profiles)]
                    + (0..<width).map { $0 < cohort.rates.count ? ReportCell.number(cohort.rates[$0]) : "" }
            }
        )
    }
}
