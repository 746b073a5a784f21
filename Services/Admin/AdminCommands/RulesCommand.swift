import ArgumentParser
import Foundation
import Shared

/// `kinship rules`: a workspace's identity rules, and what a change would do before it is made.
struct RulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Show, dry-run and set a workspace's identity rules (limits, priority, blocked values, size alarm).",
        discussion: """
            A rules file is JSON; keys left out keep their defaults, e.g. {"limits": {"email": 1}, "blockedValues": ["test@example.com"]}.
            Reads KINSHIP_INTERNAL_TOKEN, and KINSHIP_IDENTITY_URL when --identity-url is not given.
            """,
        subcommands: [Show.self, DryRun.self, Replace.self]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The rules in force and their version.")

        @OptionGroup var access: IdentityAccess

        func run() async throws {
            print(try await access.call(.get, "/internal/v1/rules").serialized())
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
            let report = try await access.call(.post, "/internal/v1/rules/dry-run", body: try IdentityAccess.read(file))
            if json {
                print(report.serialized())
                return
            }
            let rows: [(String, String)] = [
                ("profiles today", "profiles"), ("identifiers today", "identifiers"), ("events replayed", "eventsReplayed"),
                ("profiles that would merge into another", "profilesMerged"), ("profiles that would split", "profilesSplit"),
                ("profiles the splits would add", "profilesAddedBySplits"), ("refused identifiers that would attach", "identifiersNewlyAttached"),
                ("conflicts under the current rules", "conflictsUnderCurrentRules"), ("conflicts under the proposed rules", "conflictsUnderProposedRules"),
                ("profiles the replay cannot reproduce (margin)", "replayMismatches"),
            ]
            print("compared with the rules in force (version \(report["currentRuleVersion"]?.cell ?? "0"))")
            print(Table(header: ["MEASURE", "COUNT"], rows: rows.map { [$0.0, report[$0.1]?.cell ?? "-"] }).rendered)
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
            let stored = try await access.call(.put, "/internal/v1/rules", query: ["requestedBy": requestedBy], body: try IdentityAccess.read(file))
            print("identity rules version \(stored["version"]?.cell ?? "?") in force")
        }
    }
}
