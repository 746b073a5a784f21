import KinshipCore

/// Splits a SQL file into statements, since PostgresNIO sends one statement per query.
///
/// Understands what can hide a `;`: quoted strings and identifiers, dollar-quoted bodies (`$$ … $$`,
/// `$fn$ … $fn$`), and `--` and `/* */` comments.
enum SQLScript {
    static func statements(in script: String) -> [String] {
        let chars = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var index = 0

        func flush() {
            let text = String(current).trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty, !isOnlyComments(text) { statements.append(text) }
            current = String.UnicodeScalarView()
        }
        func copy(until end: Int) {
            current.append(contentsOf: chars[index..<min(end, chars.count)])
            index = min(end, chars.count)
        }
        func find(_ needle: [Unicode.Scalar], from start: Int) -> Int? {
            guard needle.count <= chars.count else { return nil }
            var position = start
            while position + needle.count <= chars.count {
                if Array(chars[position..<position + needle.count]) == needle { return position }
                position += 1
            }
            return nil
        }

        while index < chars.count {
            let char = chars[index]
            let next = index + 1 < chars.count ? chars[index + 1] : nil
            switch char {
            case ";":
                flush()
                index += 1
            case "'", "\"":
                var end = index + 1
                while end < chars.count {
                    if chars[end] == char {
                        if end + 1 < chars.count, chars[end + 1] == char { end += 2; continue }
                        break
                    }
                    end += 1
                }
                copy(until: end + 1)
            case "-" where next == "-":
                let end = find(["\n"], from: index) ?? chars.count
                copy(until: end)
            case "/" where next == "*":
                let end = (find(["*", "/"], from: index + 2) ?? chars.count) + 2
                copy(until: end)
            case "$":
                var tagEnd = index + 1
                while tagEnd < chars.count, chars[tagEnd].properties.isAlphabetic || chars[tagEnd] == "_" { tagEnd += 1 }
                if tagEnd < chars.count, chars[tagEnd] == "$" {
                    let tag = Array(chars[index...tagEnd])
                    let close = find(tag, from: tagEnd + 1) ?? chars.count
                    copy(until: close + tag.count)
                } else {
                    copy(until: index + 1)
                }
            default:
                copy(until: index + 1)
            }
        }
        flush()
        return statements
    }

    private static func isOnlyComments(_ text: String) -> Bool {
        text.split(separator: "\n").allSatisfy { $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") || $0.trimmingCharacters(in: .whitespaces).isEmpty }
    }
}
