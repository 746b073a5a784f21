/// Rows of text in aligned columns, for a terminal: the CLI's listings, a benchmark's result table.
public struct TextTable: Sendable {
    /// Which side of its column a cell keeps to.
    public enum Alignment: Sendable {
        case left
        case right
    }

    /// The first line, aligned as the rows are; nil for none.
    public var header: [String]?
    public var rows: [[String]]
    /// Per column, from the first; a column without one is left-aligned.
    public var alignments: [Alignment]
    /// Spaces between columns.
    public var gutter: Int

    public init(header: [String]? = nil, rows: [[String]], alignments: [Alignment] = [], gutter: Int = 2) {
        self.header = header
        self.rows = rows
        self.alignments = alignments
        self.gutter = gutter
    }

    /// One line per row, the header first. A row shorter than the others has empty cells at its end.
    /// Trailing spaces are trimmed, so an empty last cell leaves nothing behind.
    public var lines: [String] {
        let all = (header.map { [$0] } ?? []) + rows
        let columns = all.map(\.count).max() ?? 0
        // Widths count characters, not bytes or UTF-16 units: a terminal gives most characters one column.
        let widths = (0..<columns).map { column in all.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        let space = String(repeating: " ", count: gutter)
        return all.map { row in
            var line = ""
            for column in 0..<columns {
                let cell = column < row.count ? row[column] : ""
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                if column > 0 { line += space }
                let alignment = column < alignments.count ? alignments[column] : .left
                line += alignment == .right ? padding + cell : cell + padding
            }
            return String(line.reversed().drop(while: { $0 == " " }).reversed())
        }
    }

    /// The lines joined by newlines, without a final one.
    public var rendered: String {
        lines.joined(separator: "\n")
    }
}
