/// Ingestion's answer to a collection request (`/v1/batch`, `/v1/track`, …): what became of its messages.
/// Ingestion writes it by hand for speed (`CollectResponse`); `kinship demo send` reads it.
public struct CollectSummary: Codable, Sendable, Equatable {
    public struct Refusal: Codable, Sendable, Equatable {
        /// The message's index in the request.
        public let index: Int
        public let messageId: String?
        /// An `ErrorCode`'s raw value.
        public let code: String
        public let message: String

        public init(index: Int, messageId: String?, code: String, message: String) {
            self.index = index
            self.messageId = messageId
            self.code = code
            self.message = message
        }
    }

    public var success = true
    public var stored = 0
    public var duplicates = 0
    /// Acknowledged and not stored: their own consent preferences refuse their category.
    public var withheld = 0
    /// The first refused messages (at most 100).
    public var refused: [Refusal] = []

    public init(stored: Int = 0, duplicates: Int = 0, withheld: Int = 0, refused: [Refusal] = []) {
        self.stored = stored
        self.duplicates = duplicates
        self.withheld = withheld
        self.refused = refused
    }
}
