/// The body of `POST /internal/v1/profiles/{id}/unmerge`: exactly one of `identifier` (every join it made)
/// or `messageId` (the joins one event made), and who asks. Every member is optional here so that identity,
/// not the decoder, says which one is missing.
public struct UnmergeRequest: Codable, Sendable, Equatable {
    public struct Identifier: Codable, Sendable, Equatable {
        public let type: String?
        public let value: String?

        public init(type: String, value: String) {
            self.type = type
            self.value = value
        }
    }

    public let identifier: Identifier?
    public let messageId: String?
    public let requestedBy: String?

    public init(identifier: Identifier? = nil, messageId: String? = nil, requestedBy: String? = nil) {
        self.identifier = identifier
        self.messageId = messageId
        self.requestedBy = requestedBy
    }
}
