import ArgumentParser

/// `kinship`: the operator's command line.
public struct KinshipCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "kinship",
        abstract: "Administer a Kinship installation.",
        discussion: "Reads KINSHIP_DATABASE_URL, and KINSHIP_MASTER_KEY where keys are made or rewrapped; profiles and rules ask the identity service.",
        subcommands: [MigrateCommand.self, WorkspacesCommand.self, SourcesCommand.self, KeysCommand.self, OutboxCommand.self, ImportCommand.self, DemoCommand.self, ProfilesCommand.self, RulesCommand.self, SegmentsCommand.self, PrivacyCommand.self, DataMapCommand.self, AuditCommand.self]
    )

    public init() {}
}
