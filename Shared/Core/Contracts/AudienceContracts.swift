/// Which profiles' audience hashes reporting asks identity for (`POST /internal/v1/audience-hashes`).
public struct AudienceRequest: Codable, Sendable, Equatable {
    public let profileIds: [String]

    public init(profileIds: [String]) {
        self.profileIds = profileIds
    }
}

/// The SHA-256 (hex) of each profile's e-mails and phones as identity holds them normalised, for an ad
/// platform's audience upload. Profiles without either are left out.
public struct AudienceHashes: Codable, Sendable, Equatable {
    public struct Profile: Codable, Sendable, Equatable {
        public let profileId: String
        public let emails: [String]
        public let phones: [String]

        public init(profileId: String, emails: [String], phones: [String]) {
            self.profileId = profileId
            self.emails = emails
            self.phones = phones
        }
    }

    public let profiles: [Profile]

    public init(profiles: [Profile]) {
        self.profiles = profiles
    }
}
