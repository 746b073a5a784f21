import ArgumentParser
import Foundation
import KinshipCore
import KinshipDatabase
import KinshipInternalClient
import KinshipOutbox
import KinshipPrivacy

struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "Inspect the bus: lag per consumer group and partition, dead letters, replay, rejected events.",
        subcommands: [Status.self, DeadLetters.self, Replay.self, Rejected.self]
    )

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lag, owner and failures per consumer group and partition.")

        @Option(help: "Only this consumer group.")
        var group: String?

        func run() async throws {
            let rows = try await AdminContext.withDatabase { [group] client in
                try await OutboxAdministration(database: client, logger: AdminContext.logger).status(group: group)
            }
            print(TextTable(
                header: ["GROUP", "TOPIC", "PARTITION", "OWNER", "LAG", "LAG_SECONDS", "ATTEMPTS", "DEAD_LETTERS", "LAST_ERROR"],
                rows: rows.map {
                    [$0.group, $0.topic, String($0.partition), $0.owner ?? "-", String($0.lagMessages),
                     String(format: "%.1f", $0.lagSeconds), String($0.attempts), String($0.deadLetters),
                     String(($0.lastError ?? "").prefix(60))]
                }
            ).rendered)
        }
    }

    struct DeadLetters: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "dead-letters", abstract: "List messages a consumer group gave up on.")

        @Option(help: "Only this consumer group.")
        var group: String?

        @Option(help: "At most this many.")
        var limit: Int = 100

        func run() async throws {
            let letters = try await AdminContext.withDatabase { [group, limit] client in
                try await OutboxAdministration(database: client, logger: AdminContext.logger).deadLetters(group: group, limit: limit)
            }
            print(TextTable(
                header: ["ID", "GROUP", "TOPIC", "PARTITION", "MESSAGE", "KEY", "ATTEMPTS", "FAILED_AT", "ERROR"],
                rows: letters.map {
                    [String($0.id), $0.group, $0.topic, String($0.partition), String($0.messageID), $0.key,
                     String($0.attempts), Timestamp.format($0.failedAt), String($0.error.prefix(80))]
                }
            ).rendered)
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deliver dead letters again, to the group that failed them only."
        )

        @Option(help: "The consumer group.")
        var group: String

        @Argument(help: "Dead-letter ids (from `kinship outbox dead-letters`); none with --all.")
        var ids: [Int64] = []

        @Flag(help: "Replay all of the group's dead letters.")
        var all = false

        func validate() throws {
            guard all != !ids.isEmpty else { throw ValidationError("Give dead-letter ids or --all, not both and not neither.") }
        }

        func run() async throws {
            let count = try await AdminContext.withDatabase { [group, ids, all] client in
                try await OutboxAdministration(database: client, logger: AdminContext.logger).replay(group: group, ids: all ? nil : ids)
            }
            print("replayed \(count) dead letters to group '\(group)'")
        }
    }

    struct Rejected: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List stored events a consumer group passed by because it could not read them, newest first."
        )

        @Option(help: "Only this consumer group.")
        var group: String?

        @Option(help: "At most this many.")
        var limit: Int = 100

        func run() async throws {
            let rejections = try await AdminContext.withDatabase { [group, limit] client in
                try await EventRejections.recent(group: group, limit: limit, database: client, logger: AdminContext.logger)
            }
            print(TextTable(
                header: ["GROUP", "WORKSPACE", "SOURCE", "MESSAGE_ID", "RECEIVED_AT", "REJECTED_AT", "REASON"],
                rows: rejections.map {
                    [$0.group, $0.workspaceName ?? $0.workspaceID.lowercased, $0.sourceName ?? "-", $0.messageID, Timestamp.format($0.receivedAt),
                     Timestamp.format($0.rejectedAt), String($0.reason.prefix(100))]
                }
            ).rendered)
        }
    }
}
