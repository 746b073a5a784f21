import Foundation

/// Writes a line to standard error, so standard output stays the benchmark's result.
func progress(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Why a benchmark could not produce a trustworthy figure.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
