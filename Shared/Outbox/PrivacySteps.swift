import Foundation
import KinshipCore
import Logging
import PostgresNIO

/// A service's part in a data subject request: whether it is done, and marking it done with what it
/// removed, in the caller's transaction (the one that removed it), completing the request when it was
/// the last step.
public enum PrivacySteps {
    /// What a service removes of the profiles of an erasure, in the consumer's transaction: table → rows.
    public typealias Erase = @Sendable (_ workspaceID: UUID, _ profiles: [UUID], PostgresConnection) async throws -> [String: Int]

    /// `service`'s consumer of the `privacy` topic (group `<service>-privacy`): carries out its step of each
    /// erasure with `erase` in the transaction that advances its cursor and marks the step done. A step
    /// already done is skipped, so a message delivered again (after a crash) changes nothing.
    public static func consumer(
        _ service: PrivacyStepService, database: PostgresClient, options: OutboxConsumerOptions, logger: Logger, erase: @escaping Erase
    ) -> OutboxConsumer {
        OutboxConsumer(group: "\(service.rawValue)-privacy", topic: .privacy, database: database, logger: logger, options: options) { message, connection in
            try await handle(message, as: service, erase: erase, on: connection, logger: logger)
        }
    }

    /// One `privacy` message, as `service`'s consumer handles it.
    ///
    /// Identity's step comes first: it removes the events and identities everything else is made from, and
    /// announces, in its transaction, a `derived` message for the other services' steps. A request's own
    /// message is theirs too when identity's step is already done (one written before stages existed).
    public static func handle(
        _ message: OutboxMessage, as service: PrivacyStepService, erase: Erase, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let request = try JSONCoding.decode(PrivacyRequestMessage.self, from: Data(message.payload.utf8))
        guard request.kind == .erase, let requestID = UUID(uuidString: request.requestId) else { return }
        let workspaceID = message.workspaceID
        let stage = request.stage ?? .sources
        if service == .identity {
            guard stage == .sources else { return }
        } else if stage == .sources {
            guard try await isDone(.identity, request: requestID, in: workspaceID, on: connection, logger: logger) else { return }
        }
        guard try await isPending(service, request: requestID, in: workspaceID, on: connection, logger: logger) else { return }
        let removed = try await erase(workspaceID, request.profiles, connection)
        try await complete(service, request: requestID, in: workspaceID, removed: removed, on: connection, logger: logger)
        if service == .identity {
            var derived = request
            derived.stage = .derived
            try await Outbox.append(
                [try OutboxDraft(topic: .privacy, workspaceID: workspaceID, key: message.key, payload: derived)], on: connection, logger: logger
            )
        }
        logger.info("carried out an erasure step", metadata: ["request": "\(request.requestId)", "service": "\(service.rawValue)"])
    }

    /// Whether `service`'s step of the request is done.
    static func isDone(
        _ service: PrivacyStepService, request requestID: UUID, in workspaceID: UUID, on connection: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        try await connection.query(
            """
            SELECT EXISTS (SELECT 1 FROM privacy_request_steps
                           WHERE workspace_id = \(workspaceID) AND request_id = \(requestID) AND service = \(service.rawValue) AND status = 'done')
            """,
            logger: logger
        ).decode(Bool.self).first(where: { _ in true }) ?? false
    }

    /// Locks the request's row (so two services finishing at once see each other's steps) and says whether
    /// `service`'s step is still to do. False when the request or the step is unknown.
    public static func isPending(
        _ service: PrivacyStepService, request requestID: UUID, in workspaceID: UUID, on connection: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        var pending = false
        for try await status in try await connection.query(
            """
            SELECT s.status FROM privacy_requests r
            JOIN privacy_request_steps s ON s.workspace_id = r.workspace_id AND s.request_id = r.id AND s.service = \(service.rawValue)
            WHERE r.workspace_id = \(workspaceID) AND r.id = \(requestID)
            FOR UPDATE OF r
            """,
            logger: logger
        ).decode(String.self) {
            pending = status == "pending"
        }
        return pending
    }

    /// Marks the step done with `removed` (table → rows), and the request done when no step is pending,
    /// with its receipt: every step's removals.
    public static func complete(
        _ service: PrivacyStepService, request requestID: UUID, in workspaceID: UUID, removed: [String: Int],
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        let removedJSON = JSONValue.object(removed.mapValues { .number(Double($0)) }).serialized()
        try await connection.query(
            """
            UPDATE privacy_request_steps SET status = 'done', removed = \(removedJSON)::jsonb, completed_at = now()
            WHERE workspace_id = \(workspaceID) AND request_id = \(requestID) AND service = \(service.rawValue)
            """,
            logger: logger
        )
        try await connection.query(
            """
            UPDATE privacy_requests r SET status = 'done', completed_at = now(),
                result = jsonb_build_object('removed', (
                    SELECT jsonb_object_agg(s.service, s.removed) FROM privacy_request_steps s
                    WHERE s.workspace_id = r.workspace_id AND s.request_id = r.id
                ))
            WHERE r.workspace_id = \(workspaceID) AND r.id = \(requestID) AND r.status <> 'done'
              AND NOT EXISTS (
                SELECT 1 FROM privacy_request_steps s
                WHERE s.workspace_id = r.workspace_id AND s.request_id = r.id AND s.status = 'pending'
              )
            """,
            logger: logger
        )
    }
}
