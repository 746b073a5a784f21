import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import Logging
import PostgresNIO

/// Identity's consumer of the `privacy` topic: its step of each erasure is `PersonErasure`.
struct PrivacyStepConsumer: Sendable {
    let directory: WorkspaceKeyCache
    let logger: Logger

    func consumer(database: PostgresClient, options: OutboxConsumerOptions) -> OutboxConsumer {
        PrivacySteps.consumer(.identity, database: database, options: options, logger: logger, erase: erase)
    }

    func handle(_ message: OutboxMessage, on connection: PostgresConnection) async throws {
        try await PrivacySteps.handle(message, as: .identity, erase: erase, on: connection, logger: logger)
    }

    func erase(in workspaceID: UUID, _ profiles: [UUID], on connection: PostgresConnection) async throws -> [String: Int] {
        let keys = try await directory.keys(for: workspaceID)
        let (rules, version) = try await RuleStore.current(for: workspaceID, on: connection, logger: logger)
        let graph = IdentityGraph(workspaceID: workspaceID, keys: keys, keyring: directory.keyring, rules: rules, ruleVersion: version, logger: logger)
        return try await PersonErasure(graph: graph, logger: logger).erase(profiles, on: connection)
    }
}
