import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Shared

/// The identity service's consumer of the `events` topic: resolves stored events to profiles, a whole
/// consumer batch at a time (a handful of statements per batch rather than per event).
struct EventResolver: Sendable {
    let directory: WorkspaceDirectory
    let logger: Logger

    static let consumerGroup = "identity"

    func consumer(database: PostgresClient, options: OutboxConsumerOptions = OutboxConsumerOptions()) -> OutboxConsumer {
        OutboxConsumer(
            group: Self.consumerGroup, topic: .events, database: database, logger: logger, options: options,
            batchHandler: { messages, connection in try await handle(messages, on: connection) },
            handler: { message, connection in try await handle([message], on: connection) }
        )
    }

    /// Resolves the messages' events in order, per workspace; events gone meanwhile (erased, or pruned by
    /// retention) are skipped.
    func handle(_ messages: [OutboxMessage], on connection: PostgresConnection) async throws {
        var order: [UUID] = []
        var byWorkspace: [UUID: [EventReference]] = [:]
        for message in messages {
            let reference = try JSONCoding.decode(EventReference.self, from: Data(message.payload.utf8))
            if byWorkspace[message.workspaceID] == nil { order.append(message.workspaceID) }
            byWorkspace[message.workspaceID, default: []].append(reference)
        }
        for workspaceID in order {
            let references = byWorkspace[workspaceID]!
            let keys = try await directory.keys(for: workspaceID)
            let events = try await StoredEvent.load(references, workspaceID: workspaceID, keys: keys, on: connection, logger: logger)
            if events.count < references.count {
                logger.info("events gone before resolution", metadata: ["count": "\(references.count - events.count)"])
            }
            let (rules, version) = try await RuleStore.current(for: workspaceID, on: connection, logger: logger)
            let graph = IdentityGraph(workspaceID: workspaceID, keys: keys, keyring: directory.keyring, rules: rules, ruleVersion: version, logger: logger)
            try await graph.resolve(events, on: connection)
        }
    }
}
