import Foundation

/// What a child process run to completion left: its exit status and its output.
public struct CompletedProcess: Sendable {
    /// The exit status; a death by signal reads as 128 + the signal's number, as shells report it.
    public let status: Int32
    /// Standard output as it was written, for a tool whose output is not text (gzip).
    public let outputData: Data
    /// Standard error.
    public let error: String

    /// Standard output as text.
    public var output: String { String(decoding: outputData, as: UTF8.self) }
}
