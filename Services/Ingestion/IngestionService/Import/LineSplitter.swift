/// Splits a streamed body into lines (NDJSON), holding at most `maximumBytes` of one line: a longer
/// line is skipped to its end and reported, so memory stays bounded whatever the body.
struct LineSplitter: Sendable {
    enum Line: Equatable, Sendable {
        /// A line's bytes as sent: decoding them here would replace invalid UTF-8 silently, where the JSON
        /// parser refuses it.
        case text([UInt8], line: Int)
        case tooLong(line: Int)
    }

    let maximumBytes: Int
    private var current: [UInt8] = []
    private var overflowed = false
    private var lineNumber = 1

    init(maximumBytes: Int) {
        self.maximumBytes = maximumBytes
    }

    mutating func feed(_ bytes: some Sequence<UInt8>) -> [Line] {
        var lines: [Line] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if let line = endLine() { lines.append(line) }
            } else if !overflowed {
                current.append(byte)
                if current.count > maximumBytes {
                    overflowed = true
                    current = []
                }
            }
        }
        return lines
    }

    /// The last line when the body does not end with a newline.
    mutating func finish() -> [Line] {
        endLine().map { [$0] } ?? []
    }

    private mutating func endLine() -> Line? {
        defer {
            current = []
            overflowed = false
            lineNumber += 1
        }
        if overflowed { return .tooLong(line: lineNumber) }
        if current.last == UInt8(ascii: "\r") { current.removeLast() }
        // Blank lines separate nothing in NDJSON; they are skipped, not refused.
        let blank = current.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
        return blank ? nil : .text(current, line: lineNumber)
    }
}
