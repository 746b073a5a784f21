import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy

/// One row of a CSV file, with the line it starts on (quoted fields may span lines).
struct CSVRow: Sendable, Equatable {
    var fields: [String]
    var line: Int
}

/// An incremental RFC 4180 CSV parser: bytes go in as they arrive, complete rows come out.
///
/// Memory stays bounded by `maximumRowBytes` whatever the size of the body, so an import streams. Accepted
/// beyond RFC 4180: LF or lone CR line ends as well as CRLF, a UTF-8 byte order mark at the start, and quotes
/// inside an unquoted field (kept as text, as Python's `csv` does). Empty lines are skipped. After an error
/// the reader is in an unspecified state and must not be fed again.
struct CSVRowReader: Sendable {
    let maximumRowBytes: Int

    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

    private var state = State.fieldStart
    private var field: [UInt8] = []
    private var fields: [String] = []
    private var rowBytes = 0
    private var rowLine = 1
    private var line = 1
    private var previousWasCR = false
    /// The first bytes of the body, held until they can be told apart from a byte order mark.
    private var start: [UInt8]? = []

    init(maximumRowBytes: Int) {
        self.maximumRowBytes = maximumRowBytes
    }

    /// Parses `bytes` and returns the rows they complete; a row cut by the end of the chunk waits for the next.
    mutating func feed(_ bytes: some Collection<UInt8>) throws -> [CSVRow] {
        var rows: [CSVRow] = []
        if var pending = start {
            // A byte order mark split over two chunks is still a byte order mark.
            var rest = bytes[...]
            while pending.count < 3, let byte = rest.first {
                pending.append(byte)
                rest = rest.dropFirst()
            }
            guard pending.count == 3 || !pending.elementsEqual(Self.byteOrderMark.prefix(pending.count)) else {
                start = pending
                return []
            }
            start = nil
            if pending != Self.byteOrderMark { try consume(pending, into: &rows) }
            try consume(rest, into: &rows)
        } else {
            try consume(bytes, into: &rows)
        }
        return rows
    }

    /// Ends the input: returns the last row if the body did not end with a line break.
    mutating func finish() throws -> [CSVRow] {
        var rows: [CSVRow] = []
        if let pending = start, pending != Self.byteOrderMark {
            start = nil
            try consume(pending, into: &rows)
        }
        if state == .quoted {
            throw KinshipError.badRequest(
                .csvUnterminatedQuote, "The quoted field of the row starting on line \(rowLine) is never closed."
            )
        }
        try endRow(into: &rows)
        return rows
    }

    private mutating func consume(_ bytes: some Collection<UInt8>, into rows: inout [CSVRow]) throws {
        for byte in bytes {
            let isLineFeedOfCRLF = byte == Self.lf && previousWasCR
            if byte == Self.cr || (byte == Self.lf && !previousWasCR) { line += 1 }
            previousWasCR = byte == Self.cr
            if isLineFeedOfCRLF && state != .quoted { continue }

            switch (state, byte) {
            case (.quoted, Self.quote):
                state = .quoteInQuoted
            case (.quoted, _):
                field.append(byte)
            case (.quoteInQuoted, Self.quote):
                field.append(byte)  // "" inside quotes is one quote
                state = .quoted
            case (_, Self.comma):
                try endField()
            case (_, Self.cr), (_, Self.lf):
                try endRow(into: &rows)
                rowLine = line
                continue  // line ends do not count towards the next row's size
            case (.fieldStart, Self.quote):
                state = .quoted
            default:
                field.append(byte)
                state = .unquoted
            }
            rowBytes += 1
            if rowBytes > maximumRowBytes {
                throw KinshipError.badRequest(
                    .csvRowTooLarge, "The row starting on line \(rowLine) is longer than \(maximumRowBytes) bytes."
                )
            }
        }
    }

    private mutating func endField() throws {
        guard let text = String(validating: field, as: UTF8.self) else {
            throw KinshipError.badRequest(.csvInvalidUTF8, "The row starting on line \(rowLine) is not valid UTF-8.")
        }
        fields.append(text)
        field.removeAll(keepingCapacity: true)
        state = .fieldStart
    }

    private mutating func endRow(into rows: inout [CSVRow]) throws {
        defer { rowBytes = 0 }
        // Nothing at all since the last line end: an empty line, skipped.
        guard rowBytes > 0 else { return }
        try endField()
        rows.append(CSVRow(fields: fields, line: rowLine))
        fields.removeAll(keepingCapacity: true)
    }
}
