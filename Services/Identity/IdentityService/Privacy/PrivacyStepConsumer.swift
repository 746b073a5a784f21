import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import Logging
import PostgresNIO

/// Identity's consumer of the `privacy` topic: carries out its step of each erasure (`PersonErasure`) in
/// the transaction that advances its cursor and marks the step done. A step already done is skipped, so a
/// message delivered again (after a crash) changes nothing.
struct PrivacyStepConsumer: Sendable {
    let directory: WorkspaceKeyCache
    let logger: Logger

    static let consumerGroup = "identity-privacy"

    func consumer(database: PostgresClient, options: OutboxConsumerOptions) -> OutboxConsumer {
        OutboxConsumer(group: Self.consumerGroup, topic: .privacy, database: database, logger: logger, options: options) { message, connection in
            try await handle(message, on: connection)
        }
    }

    func handle(_ message: OutboxMessage, on connection: PostgresConnection) async throws {
        let request = try JSONCoding.decode(PrivacyRequestMessage.self, from: Data(message.payload.utf8))
        guard request.kind == .erase, let requestID = UUID(uuidString: request.requestId) else { return }
        let workspaceID = message.workspaceID
        guard try await PrivacySteps.isPending(.identity, request: requestID, in: workspaceID, on: connection, logger: logger) else { return }
        let keys = try await directory.keys(for: workspaceID)
        let (rules, version) = try await RuleStore.current(for: workspaceID, on: connection, logger: logger)
        let graph = IdentityGraph(workspaceID: workspaceID, keys: keys, keyring: directory.keyring, rules: rules, ruleVersion: version, logger: logger)
        let removed = try await PersonErasure(graph: graph, logger: logger).erase(request.profiles, on: connection)
        try await PrivacySteps.complete(.identity, request: requestID, in: workspaceID, removed: removed, on: connection, logger: logger)
        logger.info("erased a person", metadata: ["request": "\(request.requestId)", "events": "\(removed["events"] ?? 0)"])
    }
}
