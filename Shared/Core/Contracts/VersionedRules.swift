/// Identity's answer to `GET` and `PUT /internal/v1/rules`: the rules in force and their version (0 for
/// the defaults, until a workspace edits them).
public struct VersionedRules: Codable, Sendable, Equatable {
    public let version: Int
    public let rules: IdentityRules

    public init(version: Int, rules: IdentityRules) {
        self.version = version
        self.rules = rules
    }
}
