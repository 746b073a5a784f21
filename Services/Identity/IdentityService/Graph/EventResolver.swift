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
            handler: { message, connection in _ = try await handle([message], on: connection) }
        )
    }

    /// Resolves the messages' events in order, per workspace; events gone meanwhile (erased, or pruned by
    /// retention) are skipped. Returns how many of the messages it handled: all, or (at least half) those
    /// before the first event whose identifiers another transaction holds (`BatchLocks`); the rest come
    /// again.
    func handle(_ messages: [OutboxMessage], on connection: PostgresConnection) async throws -> Int {
        var order: [UUID] = []
        var byWorkspace: [UUID: [(position: Int, reference: EventReference)]] = [:]
        for (position, message) in messages.enumerated() {
            let reference = try EventReference(payload: message.payload)
            if byWorkspace[message.workspaceID] == nil { order.append(message.workspaceID) }
            byWorkspace[message.workspaceID, default: []].append((position, reference))
        }
        var work: [(graph: IdentityGraph, carried: CarriedIdentifiers, positions: [Int])] = []
        for workspaceID in order {
            let entries = byWorkspace[workspaceID]!
            let keys = try await directory.keys(for: workspaceID)
            let events = try await StoredEvent.load(entries.map(\.reference), workspaceID: workspaceID, keys: keys, on: connection, logger: logger)
            if events.count < entries.count {
                logger.info("events gone before resolution", metadata: ["count": "\(entries.count - events.count)"])
            }
            let positionOf = Dictionary(entries.map { ($0.reference.messageId, $0.position) }) { first, _ in first }
            let (rules, version) = try await RuleStore.current(for: workspaceID, on: connection, logger: logger)
            let graph = IdentityGraph(workspaceID: workspaceID, keys: keys, keyring: directory.keyring, rules: rules, ruleVersion: version, logger: logger)
            work.append((graph, graph.carried(by: events), events.map { positionOf[$0.messageId]! }))
        }
        // Every event's lock names, in message order across workspaces.
        var locksAt: [Int: [String]] = [:]
        for (graph, carried, positions) in work {
            for (candidates, position) in zip(carried.candidates, positions) {
                locksAt[position] = candidates.map { graph.lockName(type: $0.type, token: carried.tokens[$0]!) }
            }
        }
        let held = try await BatchLocks.take(messages.indices.map { locksAt[$0] ?? [] }, on: connection, logger: logger)
        for (graph, carried, positions) in work {
            let events = positions.firstIndex { $0 >= held } ?? positions.count
            try await graph.resolve(carried.prefix(events), on: connection)
        }
        return held
    }
}
