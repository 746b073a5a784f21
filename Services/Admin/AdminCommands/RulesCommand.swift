import ArgumentParser
import Foundation
import KinshipCore
import KinshipDatabase
import KinshipInternalClient
import KinshipOutbox
import KinshipPrivacy

/// `kinship rules`: a workspace's identity rules, and what a change would do before it is made.
struct RulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Show, dry-run and set a workspace's identity rules (limits, priority, blocked values, size alarm).",
        discussion: """
            A rules file is JSON; keys left out keep their defaults, e.g. {"limits": {"email": 1}, "blockedValues": ["test@example.com"]}.
            Reads KINSHIP_INTERNAL_TOKEN, KINSHIP_IDENTITY_URL when --identity-url is not given, and KINSHIP_DATABASE_URL to look \
            the workspace up (needed for a name; an id is sent as given without it).
            """,
        subcommands: [Show.self, DryRun.self, Replace.self]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The rules in force and their version.")

        @OptionGroup var access: IdentityAccess

        func run() async throws {
            print(String(decoding: try await access.connect().send(.get, "/internal/v1/rules"), as: UTF8.self))
        }
    }

    struct DryRun: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dry-run",
            abstract: "How many of today's profiles the proposed rules would merge or split. Changes nothing."
        )

        @OptionGroup var access: IdentityAccess

        @Argument(help: "The proposed rules, a JSON file (- for standard input).")
        var file: String

        @Flag(help: "Print the identity service's JSON as it is.")
        var json = false

        func run() async throws {
            let answer = try await access.connect().send(.post, "/internal/v1/rules/dry-run", body: try IdentityAccess.read(file))
            if json {
                print(String(decoding: answer, as: UTF8.self))
                return
            }
            let report = try JSONCoding.decode(RulesDryRunReport.self, from: answer)
            let rows: [(String, Int)] = [
                ("profiles today", report.profiles), ("identifiers today", report.identifiers), ("events replayed", report.eventsReplayed),
                ("profiles that would merge into another", report.profilesMerged), ("profiles that would split", report.profilesSplit),
                ("profiles the splits would add", report.profilesAddedBySplits),
                ("refused identifiers that would attach", report.identifiersNewlyAttached),
                ("conflicts under the current rules", report.conflictsUnderCurrentRules),
                ("conflicts under the proposed rules", report.conflictsUnderProposedRules),
                ("profiles the replay cannot reproduce (margin)", report.replayMismatches),
            ]
            print("compared with the rules in force (version \(report.currentRuleVersion))")
            print(TextTable(header: ["MEASURE", "COUNT"], rows: rows.map { [$0.0, String($0.1)] }).rendered)
        }
    }

    struct Replace: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Make the rules in a file the workspace's rules, from the next event on (history is not re-resolved)."
        )

        @OptionGroup var access: IdentityAccess

        @Argument(help: "The rules, a JSON file (- for standard input).")
        var file: String

        @Option(help: "Who changes them (recorded in the rules' history).")
        var requestedBy = ProcessInfo.processInfo.environment["USER"].map { "cli:\($0)" } ?? "cli"

        func run() async throws {
            let stored = try await access.connect().call(
                .put, "/internal/v1/rules", query: ["requestedBy": requestedBy], body: try IdentityAccess.read(file), as: VersionedRules.self
            )
            print("identity rules version \(stored.version) in force")
        }
    }
}
