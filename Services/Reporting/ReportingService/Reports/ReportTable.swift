/// A report's answer as a table, for `?format=csv`: a header and rows of cells as text.
public struct ReportTable: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[String]]

    public init(columns: [String], rows: [[String]]) {
        self.columns = columns
        self.rows = rows
    }
}

/// A report: encodable to JSON as the API answers it, with its table form.
public protocol Report: Encodable, Sendable {
    var table: ReportTable { get }
}
