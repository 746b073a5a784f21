/// Ingestion's answer to `POST /v1/import`: counts, and the first refused rows with their reasons.
/// Ingestion writes it; `kinship import` reads it.
public struct ImportSummary: Codable, Sendable, Equatable {
    public struct RefusedRow: Codable, Sendable, Equatable {
        /// The row's line in the file (NDJSON) or its first line (CSV).
        public let line: Int
        /// An `ErrorCode`'s raw value.
        public let code: String
        public let message: String

        public init(line: Int, code: String, message: String) {
            self.line = line
            self.code = code
            self.message = message
        }
    }

    /// Always true in an answer (as in Segment's); an import that broke off answers an error instead.
    public var success = true
    public var rows = 0
    public var stored = 0
    public var duplicates = 0
    public var withheld = 0
    public var refused = 0
    /// The first refused rows, at most as many as a batch answer lists.
    public var refusedRows: [RefusedRow] = []

    public init() {}
}
