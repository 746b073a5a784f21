/// Identity's answer to `GET /internal/v1/resolve`: the profile that holds an identifier, merges followed.
public struct ResolvedProfile: Codable, Sendable, Equatable {
    public let profileId: String

    public init(profileId: String) {
        self.profileId = profileId
    }
}
