import Foundation
import KinshipCore
import KinshipOutbox
import Logging
import PostgresNIO

/// Segmentation's consumers: of `resolutions` (which profile identity attached each event to) and of
/// `profiles` (merged, split, and changes no event made). Both name profiles to evaluate again; a batch of
/// messages is evaluated at once, in the transaction that advances the cursor. Public so that the
/// segmentation benchmark runs the same consumers in its own process.
public struct ProfileChangeConsumer: Sendable {
    let evaluator: ProfileEvaluator
    let logger: Logger
    /// A batch takes whole messages until they name this many profiles (at least one message): each
    /// profile's history is read whole, so a batch is bounded by people rather than messages.
    var mostProfilesPerBatch = 200

    public static let consumerGroup = "segmentation"

    public init(evaluator: ProfileEvaluator, logger: Logger) {
        self.evaluator = evaluator
        self.logger = logger
    }

    public func consumers(database: PostgresClient, options: OutboxConsumerOptions) -> [OutboxConsumer] {
        [OutboxTopic.resolutions, .profiles].map { topic in
            OutboxConsumer(
                group: Self.consumerGroup, topic: topic, database: database, logger: logger, options: options,
                batchHandler: { messages, connection in try await handle(messages, on: connection) },
                handler: { message, connection in _ = try await handle([message], on: connection) }
            )
        }
    }

    /// Evaluates the profiles the leading messages name; returns how many messages it took.
    func handle(_ messages: [OutboxMessage], on connection: PostgresConnection) async throws -> Int {
        var named: [UUID: Set<UUID>] = [:]
        var order: [UUID] = []
        var count = 0
        var taken = 0
        for message in messages {
            let profiles = try Self.profiles(in: message)
            if taken > 0, count + profiles.count > mostProfilesPerBatch { break }
            if named[message.workspaceID] == nil { order.append(message.workspaceID) }
            let before = named[message.workspaceID, default: []].count
            named[message.workspaceID, default: []].formUnion(profiles)
            count += named[message.workspaceID]!.count - before
            taken += 1
        }
        let now = Date()
        for workspaceID in order {
            try await evaluator.evaluate(named[workspaceID]!, in: workspaceID, now: now, on: connection)
        }
        return taken
    }

    /// The profiles a message names.
    static func profiles(in message: OutboxMessage) throws -> Set<UUID> {
        try profiles(topic: message.topic, payload: message.payload)
    }

    static func profiles(topic: String, payload: String) throws -> Set<UUID> {
        if topic == OutboxTopic.resolutions.name {
            return Set(try EventResolution.list(in: payload).map(\.profileId))
        }
        let change = try JSONCoding.decode(ProfileChange.self, from: Data(payload.utf8))
        // A profile made or changed by an event is named on `resolutions` too, by the same transaction of
        // identity's: evaluating it once is enough. Merges (the merged-away id must be retired), splits and
        // changes without an event (an unmerge) are this topic's alone.
        if change.kind == .created || change.kind == .updated, change.messageId != nil { return [] }
        let named = [change.profileId, change.mergedProfileId] + (change.splitProfileIds ?? []).map(Optional.some)
        return Set(named.compactMap { $0.flatMap(UUID.init(uuidString:)) })
    }
}
