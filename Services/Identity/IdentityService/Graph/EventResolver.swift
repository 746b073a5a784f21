import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Shared

/// The identity service's consumer of the `events` topic: resolves each stored event to a profile.
struct EventResolver: Sendable {
    let directory: WorkspaceDirectory
    let logger: Logger

    static let consumerGroup = "identity"

    func consumer(database: PostgresClient, options: OutboxConsumerOptions = OutboxConsumerOptions()) -> OutboxConsumer {
        OutboxConsumer(group: Self.consumerGroup, topic: .events, database: database, logger: logger, options: options) { message, connection in
            try await handle(message, on: connection)
        }
    }

    func handle(_ message: OutboxMessage, on connection: PostgresConnection) async throws {
        let reference = try JSONCoding.decode(EventReference.self, from: Data(message.payload.utf8))
        let keys = try await directory.keys(for: message.workspaceID)
        guard let event = try await StoredEvent.load(reference, workspaceID: message.workspaceID, keys: keys, on: connection, logger: logger) else {
            logger.info("event gone before resolution", metadata: ["message_id": "\(reference.messageId)"])
            return
        }
        let (rules, version) = try await WorkspaceDirectory.rules(for: message.workspaceID, on: connection, logger: logger)
        let graph = IdentityGraph(workspaceID: message.workspaceID, keys: keys, keyring: directory.keyring, rules: rules, ruleVersion: version, logger: logger)
        _ = try await graph.resolve(event, on: connection)
    }
}
