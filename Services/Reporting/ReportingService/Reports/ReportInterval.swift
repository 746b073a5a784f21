/// How a report cuts its period into rows: calendar days, ISO weeks (from Monday) or calendar months, in UTC.
public enum ReportInterval: String, Codable, Sendable, CaseIterable {
    case day
    case week
    case month
}
