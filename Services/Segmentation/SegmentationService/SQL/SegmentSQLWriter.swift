import Foundation
import PostgresNIO

/// Collects a compiled definition's bind parameters: every value goes in a bind, and the SQL text only
/// ever holds the placeholder (`$3::text`), cast so its type reads in the text.
struct SegmentSQLWriter {
    private(set) var binds = PostgresBindings()
    /// The placeholder of the workspace id, for the event subqueries' index probe.
    var workspace = ""
    let now: Date
    private var nowPlaceholder: String?

    init(now: Date) {
        self.now = now
    }

    mutating func bind(_ value: String) -> String { append(value, cast: "text") }
    mutating func bind(_ value: Double) -> String { append(value, cast: "float8") }
    mutating func bind(_ value: Bool) -> String { append(value, cast: "boolean") }
    mutating func bind(_ value: Date) -> String { append(value, cast: "timestamptz") }
    mutating func bind(_ value: UUID) -> String { append(value, cast: "uuid") }

    /// The placeholder of `now`, bound once.
    mutating func nowBind() -> String {
        if let nowPlaceholder { return nowPlaceholder }
        let placeholder = bind(now)
        nowPlaceholder = placeholder
        return placeholder
    }

    /// `now` less a number of days (of 86,400 seconds), the start of a window.
    mutating func daysBeforeNow(_ days: Int) -> String {
        bind(now.addingTimeInterval(-Comparison.seconds(days)))
    }

    private mutating func append(_ value: some PostgresDynamicTypeEncodable, cast: String) -> String {
        binds.append(value)
        return "$\(binds.count)::\(cast)"
    }
}
