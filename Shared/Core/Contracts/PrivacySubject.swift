/// Who a data subject request is about, as identity finds them from one identifier (identity → reporting,
/// `GET /internal/v1/privacy-subject`): blind-index tokens only, never the values.
public struct PrivacySubject: Codable, Sendable, Equatable {
    public struct Token: Codable, Sendable, Equatable, Hashable {
        public let type: String
        /// The blind-index token, hex.
        public let token: String

        public init(type: String, token: String) {
            self.type = type
            self.token = token
        }
    }

    /// The identifier asked about, normalised as events are.
    public let identifier: Token
    /// The live profile holding it, when one does.
    public let profileId: String?
    /// That profile and every profile merged into it.
    public let profileIds: [String]
    /// Every identifier those profiles hold.
    public let identifiers: [Token]

    public init(identifier: Token, profileId: String?, profileIds: [String], identifiers: [Token]) {
        self.identifier = identifier
        self.profileId = profileId
        self.profileIds = profileIds
        self.identifiers = identifiers
    }
}
