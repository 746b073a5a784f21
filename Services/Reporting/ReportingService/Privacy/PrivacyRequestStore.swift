import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import Logging
import PostgresNIO

/// Data subject requests as reporting records them: the request with its subject as tokens, a step for
/// each service that must act, the `privacy` message that tells them, and the audit entry, all in one
/// transaction; and reading them back.
struct PrivacyRequestStore: Sendable {
    let database: PostgresClient
    let logger: Logger

    /// Records a request about `subject` by `actor`. An erasure covering a profile that another erasure
    /// still running covers is that one (requests are idempotent); `suppress` also writes the identifiers'
    /// tokens to `suppressed_identifiers`. Returns the request and whether it was made now.
    func create(
        _ kind: PrivacyRequestMessage.Kind, subject: PrivacySubject, in workspaceID: UUID, actor: String
    ) async throws -> (request: PublicPrivacyRequest, created: Bool) {
        let id = UUID()
        let profiles = subject.profileIds.compactMap(UUID.init(uuidString:))
        let tokens = Array(Set(subject.identifiers + [subject.identifier]))
        let subjectJSON = JSONValue.array(tokens.map { .object(["type": .string($0.type), "token": .string($0.token)]) }).serialized()
        let existing: UUID? = try await database.transaction(logger: logger) { connection in
            if kind == .erase {
                // Serialises erasures of one workspace, so two asked at once for one person become one.
                try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\("kinship.privacy/" + workspaceID.lowercased)))", logger: logger)
                for try await running in try await connection.query(
                    """
                    SELECT id FROM privacy_requests
                    WHERE workspace_id = \(workspaceID) AND kind = 'erase' AND status = 'running' AND profile_ids && \(profiles)::uuid[]
                    ORDER BY requested_at LIMIT 1
                    """,
                    logger: logger
                ).decode(UUID.self) {
                    return running
                }
            }
            let status = kind == .erase ? "running" : "done"
            try await connection.query(
                """
                INSERT INTO privacy_requests (workspace_id, id, kind, subject, status, requested_by, profile_ids, completed_at)
                VALUES (\(workspaceID), \(id), \(kind.rawValue), \(subjectJSON)::jsonb, \(status), \(actor), \(profiles)::uuid[],
                        CASE WHEN \(status) = 'done' THEN now() END)
                """,
                logger: logger
            )
            switch kind {
            case .erase:
                let services = PrivacyStepService.allCases.map(\.rawValue)
                try await connection.query(
                    "INSERT INTO privacy_request_steps (workspace_id, request_id, service) SELECT \(workspaceID), \(id), unnest(\(services)::text[])",
                    logger: logger
                )
                let message = PrivacyRequestMessage(requestId: id.lowercased, kind: kind, profileIds: subject.profileIds)
                try await Outbox.append([try OutboxDraft(topic: .privacy, workspaceID: workspaceID, key: id.lowercased, payload: message)], on: connection, logger: logger)
            case .suppress:
                try await connection.query(
                    """
                    INSERT INTO suppressed_identifiers (workspace_id, type, token, request_id)
                    SELECT \(workspaceID), t.type, decode(t.token, 'hex'), \(id)
                    FROM unnest(\(tokens.map(\.type))::text[], \(tokens.map(\.token))::text[]) AS t (type, token)
                    ON CONFLICT DO NOTHING
                    """,
                    logger: logger
                )
            case .export:
                break
            }
            let details = JSONValue.object([
                "kind": .string(kind.rawValue), "profiles": .number(Double(profiles.count)), "identifiers": .number(Double(tokens.count)),
            ]).serialized()
            try await connection.query(
                """
                INSERT INTO audit_log (workspace_id, actor, action, target, details)
                VALUES (\(workspaceID), \(actor), \("privacy.\(kind.rawValue)"), \(id.lowercased), \(details)::jsonb)
                """,
                logger: logger
            )
            return nil
        }
        let request = try await self.request(existing ?? id, in: workspaceID)
        guard let request else { throw KinshipError.internalError }
        return (request, existing == nil)
    }

    /// One request with its steps; nil when the workspace has no such request.
    func request(_ id: UUID, in workspaceID: UUID) async throws -> PublicPrivacyRequest? {
        try await requests(in: workspaceID, id: id, limit: 1, before: nil).first
    }

    /// The workspace's requests, newest first, `limit` at most, older than the `before` cursor.
    func requests(in workspaceID: UUID, id: UUID? = nil, limit: Int, before: PrivacyRequestCursor?) async throws -> [PublicPrivacyRequest] {
        try await database.withConnection { connection in
            var found: [PublicPrivacyRequest] = []
            for try await (requestID, kind, status, by, at, completed, profiles, identifiers, stepsText) in try await connection.query(
                """
                SELECT r.id, r.kind, r.status, r.requested_by, r.requested_at, r.completed_at, r.profile_ids,
                       jsonb_array_length(r.subject),
                       coalesce((SELECT jsonb_agg(jsonb_build_object('service', s.service, 'status', s.status, 'removed', s.removed,
                                                                     'completedAt', s.completed_at) ORDER BY s.service)
                                 FROM privacy_request_steps s WHERE s.workspace_id = r.workspace_id AND s.request_id = r.id), '[]')::text
                FROM privacy_requests r
                WHERE r.workspace_id = \(workspaceID)
                  AND (\(id)::uuid IS NULL OR r.id = \(id))
                  AND (\(before?.requestedAt)::timestamptz IS NULL OR (r.requested_at, r.id) < (\(before?.requestedAt), \(before?.id)))
                ORDER BY r.requested_at DESC, r.id DESC
                LIMIT \(limit)
                """,
                logger: logger
            ).decode((UUID, String, String, String, Date, Date?, [UUID], Int, String).self) {
                let steps = try JSONCoding.decoder().decode([PublicPrivacyRequest.Step].self, from: Data(stepsText.utf8))
                found.append(PublicPrivacyRequest(
                    id: requestID.lowercased, kind: kind, status: status, requestedBy: by, requestedAt: at, completedAt: completed,
                    profileIds: profiles.map(\.lowercased).sorted(), identifiers: identifiers, steps: steps
                ))
            }
            return found
        }
    }
}

/// Where a page of privacy requests ends: the last one's time and id.
struct PrivacyRequestCursor: Codable, Sendable {
    let requestedAt: Date
    let id: UUID

    var encoded: String { (try? JSONCoding.encoder().encode(self))?.base64String ?? "" }

    init(requestedAt: Date, id: UUID) {
        self.requestedAt = requestedAt
        self.id = id
    }

    init(decoding text: String) throws {
        guard let bytes = text.base64Decoded, let cursor = try? JSONCoding.decoder().decode(Self.self, from: Data(bytes)) else {
            throw KinshipError.badRequest(.invalidParameter, "cursor is not one this API gave.")
        }
        self = cursor
    }
}
