/// Rows in `COPY … FROM STDIN`'s text format: fields separated by tabs, `\N` for NULL, and backslash, tab,
/// newline and carriage return escaped with a backslash.
struct CopyText {
    private(set) var bytes: [UInt8] = []

    init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    private var atRowStart = true

    /// One field of the current row; nil is SQL NULL.
    mutating func field(_ text: String?) {
        separate()
        guard let text else {
            bytes.append(contentsOf: #"\N"#.utf8)
            return
        }
        append(escaping: text.utf8)
    }

    /// One field given as its bytes (JSON text, say).
    mutating func field(bytes text: [UInt8]) {
        separate()
        append(escaping: text)
    }

    mutating func endRow() {
        bytes.append(UInt8(ascii: "\n"))
        atRowStart = true
    }

    private mutating func separate() {
        if !atRowStart { bytes.append(UInt8(ascii: "\t")) }
        atRowStart = false
    }

    /// One pass: the runs between special bytes are copied whole.
    private mutating func append(escaping text: some Collection<UInt8>) {
        var run = text.startIndex
        var index = text.startIndex
        while index != text.endIndex {
            let byte = text[index]
            if Self.needsEscape(byte) {
                bytes.append(contentsOf: text[run..<index])
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\t"): bytes.append(UInt8(ascii: "t"))
                case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): bytes.append(UInt8(ascii: "r"))
                default: bytes.append(byte)
                }
                run = text.index(after: index)
            }
            index = text.index(after: index)
        }
        bytes.append(contentsOf: text[run...])
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }
}
