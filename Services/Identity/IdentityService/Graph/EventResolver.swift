import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import Logging
import PostgresNIO
import ServiceLifecycle

/// The identity service's consumer of the `events` topic: resolves stored events to profiles, a whole
/// consumer batch at a time (a handful of statements per batch rather than per event). Public so that
/// the segmentation benchmark runs the same consumer in its own process.
public struct EventResolver: Sendable {
    let directory: WorkspaceKeyCache
    let logger: Logger
    /// A batch takes whole messages up to this many events (at least one message): ingestion's messages
    /// each reference up to `EventReference.mostPerMessage` events. The consumer sets it to its batch size.
    var mostEventsPerBatch = OutboxConsumerOptions().batchSize

    public static let consumerGroup = "identity"

    public init(directory: WorkspaceKeyCache, logger: Logger) {
        self.directory = directory
        self.logger = logger
    }

    init(directory: WorkspaceKeyCache, logger: Logger, mostEventsPerBatch: Int) {
        self.directory = directory
        self.logger = logger
        self.mostEventsPerBatch = mostEventsPerBatch
    }

    public func consumer(database: PostgresClient, options: OutboxConsumerOptions = OutboxConsumerOptions()) -> OutboxConsumer {
        let resolver = EventResolver(directory: directory, logger: logger, mostEventsPerBatch: options.batchSize)
        return OutboxConsumer(
            group: Self.consumerGroup, topic: .events, database: database, logger: logger, options: options,
            batchHandler: { messages, connection in try await resolver.handle(messages, on: connection) },
            handler: { message, connection in _ = try await resolver.handle([message], on: connection) }
        )
    }

    /// Resolves the messages' events in order, per workspace; events gone meanwhile (erased, or pruned by
    /// retention) are skipped, and events that cannot be read are recorded as rejected (`EventRejections`)
    /// and skipped, so they cost themselves only. Returns how many of the messages it handled: the leading ones that fit in
    /// `mostEventsPerBatch`, or (at least half of those) the ones before the first message with an event
    /// whose identifiers another transaction holds (`BatchLocks`); the rest come again.
    func handle(_ messages: [OutboxMessage], on connection: PostgresConnection) async throws -> Int {
        var order: [UUID] = []
        var byWorkspace: [UUID: [(position: Int, reference: EventReference)]] = [:]
        var taken = 0
        var referenced = 0
        for message in messages {
            let references = try EventReference.references(in: message.payload)
            if taken > 0, referenced + references.count > mostEventsPerBatch { break }
            if byWorkspace[message.workspaceID] == nil { order.append(message.workspaceID) }
            byWorkspace[message.workspaceID, default: []].append(contentsOf: references.map { (taken, $0) })
            taken += 1
            referenced += references.count
        }
        var work: [(graph: IdentityGraph, carried: CarriedIdentifiers, positions: [Int])] = []
        for workspaceID in order {
            let entries = byWorkspace[workspaceID]!
            let keys = try await directory.keys(for: workspaceID)
            var (events, rejected) = try await StoredEvent.load(entries.map(\.reference), workspaceID: workspaceID, keys: keys, on: connection, logger: logger)
            try await EventRejections.record(rejected, group: Self.consumerGroup, on: connection, logger: logger)
            if events.count + rejected.count < entries.count {
                logger.info("events gone before resolution", metadata: ["count": "\(entries.count - events.count - rejected.count)"])
            }
            let positionOf = Dictionary(entries.map { ($0.reference.messageId, $0.position) }) { first, _ in first }
            let (rules, version) = try await RuleStore.current(for: workspaceID, on: connection, logger: logger)
            let personalData = try await PrivacyPolicies.current(in: workspaceID, on: connection, logger: logger).policy.personalData
            let graph = IdentityGraph(
                workspaceID: workspaceID, keys: keys, keyring: directory.keyring, rules: rules, ruleVersion: version, logger: logger,
                personalData: personalData
            )
            var carried = graph.carried(by: events)
            let suppressed = try await graph.suppressedEvents(in: carried, on: connection)
            if !suppressed.isEmpty {
                events = events.indices.filter { !suppressed.contains($0) }.map { events[$0] }
                carried = graph.carried(by: events)
            }
            work.append((graph, carried, events.map { positionOf[$0.messageId]! }))
        }
        // Every message's lock names (those of its events), in message order across workspaces.
        var locksAt: [Int: [String]] = [:]
        for (graph, carried, positions) in work {
            for (candidates, position) in zip(carried.candidates, positions) {
                locksAt[position, default: []].append(contentsOf: candidates.map { graph.lockName(type: $0.type, token: carried.tokens[$0]!) })
            }
        }
        let held = try await BatchLocks.take((0..<taken).map { locksAt[$0] ?? [] }, on: connection, logger: logger)
        for (graph, carried, positions) in work {
            let events = positions.firstIndex { $0 >= held } ?? positions.count
            try await graph.resolve(carried.prefix(events), on: connection)
        }
        return held
    }
}
