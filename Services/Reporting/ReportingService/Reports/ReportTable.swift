/// A report's answer as a table, for `?format=csv`: a header and rows of cells as text.
public struct ReportTable: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[String]]

    public init(columns: [String], rows: [[String]]) {
        self.columns = columns
        self.rows = rows
    }
}
