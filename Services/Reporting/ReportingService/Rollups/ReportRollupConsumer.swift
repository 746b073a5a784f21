import Foundation
import KinshipCore
import KinshipOutbox
import Logging
import PostgresNIO

/// Reporting's consumers, which keep the rollups (`report_events`) from the outbox: `events` (stored: a row
/// without a profile), `resolutions` (identity attached the events to a profile) and `profiles` (merges and
/// splits re-point the rows of the profiles they name). Each batch is written in the transaction that
/// advances the group's cursor, and every write is an idempotent upsert, so each message takes effect once.
/// Public so that the reporting benchmark runs the same consumers in its own process.
public struct ReportRollupConsumer: Sendable {
    let writer: ReportRollupWriter

    public static let consumerGroup = "reporting"

    public init(logger: Logger) {
        writer = ReportRollupWriter(logger: logger)
    }

    public func consumers(database: PostgresClient, logger: Logger, options: OutboxConsumerOptions) -> [OutboxConsumer] {
        [OutboxTopic.events, .resolutions, .profiles].map { topic in
            OutboxConsumer(
                group: Self.consumerGroup, topic: topic, database: database, logger: logger, options: options,
                batchHandler: { messages, connection in try await handle(messages, on: connection) },
                handler: { message, connection in _ = try await handle([message], on: connection) }
            )
        }
    }

    /// Writes what the messages say, workspace by workspace; returns how many it handled (all of them).
    func handle(_ messages: [OutboxMessage], on connection: PostgresConnection) async throws -> Int {
        var events: [UUID: [EventReference]] = [:]
        var profiles: [UUID: Set<UUID>] = [:]
        var order: Set<UUID> = []
        for message in messages {
            order.insert(message.workspaceID)
            switch message.topic {
            case OutboxTopic.events.name:
                events[message.workspaceID, default: []] += try EventReference.references(in: message.payload)
            case OutboxTopic.resolutions.name:
                events[message.workspaceID, default: []] += try EventResolution.list(in: message.payload).map(\.reference)
            default:
                profiles[message.workspaceID, default: []].formUnion(try Self.repointed(by: message.payload))
            }
        }
        // Workspaces in one order everywhere, so two batches never wait on each other's workspace locks.
        for workspaceID in order.sorted(by: { $0.uuidString < $1.uuidString }) {
            try await writer.roll(events[workspaceID] ?? [], in: workspaceID, on: connection)
            try await writer.repoint(profiles[workspaceID] ?? [], in: workspaceID, on: connection)
        }
        return messages.count
    }

    /// The profiles whose rows a `profiles` message may have moved: both sides of a merge, and a split profile
    /// with the profiles made from it. Creations and updates move no event.
    static func repointed(by payload: String) throws -> Set<UUID> {
        let change = try JSONCoding.decode(ProfileChange.self, from: Data(payload.utf8))
        guard change.kind == .merged || change.kind == .split else { return [] }
        let named = [change.profileId, change.mergedProfileId] + (change.splitProfileIds ?? []).map(Optional.some)
        return Set(named.compactMap { $0.flatMap(UUID.init(uuidString:)) })
    }
}
