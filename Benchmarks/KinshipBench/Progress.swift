import Foundation
import Logging

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

/// The database pools' own logger: quiet, so pool chatter does not mix with progress.
let poolLogger: Logger = {
    var logger = Logger(label: "kinship.bench.pool")
    logger.logLevel = .error
    return logger
}()
