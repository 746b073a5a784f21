/// Identity's answer to `POST /internal/v1/rules/dry-run`: what proposed identity rules would have made of
/// a workspace's history, against the rules in force. Identity writes it; `kinship rules dry-run` reads it.
public struct RulesDryRunReport: Codable, Sendable, Equatable {
    /// The version of the rules in force, which the replay also runs under as a check.
    public let currentRuleVersion: Int
    public let profiles: Int
    public let identifiers: Int
    public let eventsReplayed: Int
    /// Today's profiles that the proposed rules would fold into another.
    public let profilesMerged: Int
    /// Today's profiles that the proposed rules would split, and the profiles the splits would add.
    public let profilesSplit: Int
    public let profilesAddedBySplits: Int
    /// Identifiers refused today that the proposed rules would attach.
    public let identifiersNewlyAttached: Int
    /// Identifiers the replay could not attach, under the current and the proposed rules.
    public let conflictsUnderCurrentRules: Int
    public let conflictsUnderProposedRules: Int
    /// Profiles the replay under the current rules does not reproduce (0 when history replays exactly;
    /// more when events predate the recorded anchors or phone regions changed): the report's margin.
    public let replayMismatches: Int

    public init(
        currentRuleVersion: Int, profiles: Int, identifiers: Int, eventsReplayed: Int, profilesMerged: Int, profilesSplit: Int,
        profilesAddedBySplits: Int, identifiersNewlyAttached: Int, conflictsUnderCurrentRules: Int, conflictsUnderProposedRules: Int,
        replayMismatches: Int
    ) {
        self.currentRuleVersion = currentRuleVersion
        self.profiles = profiles
        self.identifiers = identifiers
        self.eventsReplayed = eventsReplayed
        self.profilesMerged = profilesMerged
        self.profilesSplit = profilesSplit
        self.profilesAddedBySplits = profilesAddedBySplits
        self.identifiersNewlyAttached = identifiersNewlyAttached
        self.conflictsUnderCurrentRules = conflictsUnderCurrentRules
        self.conflictsUnderProposedRules = conflictsUnderProposedRules
        self.replayMismatches = replayMismatches
    }
}
