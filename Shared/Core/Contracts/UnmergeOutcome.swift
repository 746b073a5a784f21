/// What an unmerge did: the joins it removed and the parts the profile fell into (the first keeps its id).
public struct UnmergeOutcome: Codable, Sendable, Equatable {
    public struct Part: Codable, Sendable, Equatable {
        public let profileId: String
        /// False for the part that kept the profile's id.
        public let created: Bool
        public let identifiers: Int
        public let events: Int

        public init(profileId: String, created: Bool, identifiers: Int, events: Int) {
            self.profileId = profileId
            self.created = created
            self.identifiers = identifiers
            self.events = events
        }
    }

    public let profileId: String
    public let removedEdges: Int
    public let parts: [Part]

    public init(profileId: String, removedEdges: Int, parts: [Part]) {
        self.profileId = profileId
        self.removedEdges = removedEdges
        self.parts = parts
    }
}
