import Foundation
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import Logging
import PostgresNIO

/// `segments` and `segment_versions`: a workspace's segments, each change a new version kept whole.
/// A deleted segment keeps its rows (memberships name it) with `deleted_at` set, and frees its name.
public enum SegmentStore {
    private static let columns = "id, name, description, definition::text, required_consent, version, created_at, updated_at"

    /// The workspace's segments, by name.
    static func live(in workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> [StoredSegment] {
        try await decode(connection.query(
            """
            SELECT \(unescaped: columns) FROM segments WHERE workspace_id = \(workspaceID) AND deleted_at IS NULL ORDER BY name
            """,
            logger: logger
        ))
    }

    /// One live segment, or `not_found`.
    static func find(_ id: UUID, in workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> StoredSegment {
        let found = try await decode(connection.query(
            """
            SELECT \(unescaped: columns) FROM segments WHERE workspace_id = \(workspaceID) AND id = \(id) AND deleted_at IS NULL
            """,
            logger: logger
        ))
        guard let segment = found.first else { throw KinshipError.notFound("Segment \(id.lowercased) does not exist.") }
        return segment
    }

    /// What seals the workspace's profile traits: its privacy policy's classification.
    static func traitSealing(in workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> PersonalData {
        try await PrivacyPolicies.current(in: workspaceID, on: connection, logger: logger).policy.personalData
    }

    public static func create(_ draft: SegmentDraft, in workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> StoredSegment {
        let (draft, _) = try draft.validated(traitSealing: try await traitSealing(in: workspaceID, on: connection, logger: logger))
        let id = UUID()
        try await refuseTakenName(draft.name, except: nil, in: workspaceID, on: connection, logger: logger)
        try await connection.query(
            """
            INSERT INTO segments (workspace_id, id, name, description, definition, required_consent, version)
            VALUES (\(workspaceID), \(id), \(draft.name), \(draft.description ?? ""), \(draft.definition.serialized())::jsonb, \(draft.requiredConsent), 1)
            """,
            logger: logger
        )
        try await recordVersion(of: id, in: workspaceID, on: connection, logger: logger)
        return try await find(id, in: workspaceID, on: connection, logger: logger)
    }

    /// Replaces the segment's name, description, definition and consent as a new version.
    static func update(_ id: UUID, with draft: SegmentDraft, in workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> StoredSegment {
        let (draft, _) = try draft.validated(traitSealing: try await traitSealing(in: workspaceID, on: connection, logger: logger))
        _ = try await find(id, in: workspaceID, on: connection, logger: logger)
        try await refuseTakenName(draft.name, except: id, in: workspaceID, on: connection, logger: logger)
        try await connection.query(
            """
            UPDATE segments SET name = \(draft.name), description = \(draft.description ?? ""), definition = \(draft.definition.serialized())::jsonb,
                required_consent = \(draft.requiredConsent), version = version + 1, updated_at = now()
            WHERE workspace_id = \(workspaceID) AND id = \(id)
            """,
            logger: logger
        )
        try await recordVersion(of: id, in: workspaceID, on: connection, logger: logger)
        return try await find(id, in: workspaceID, on: connection, logger: logger)
    }

    static func delete(_ id: UUID, in workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> StoredSegment {
        let segment = try await find(id, in: workspaceID, on: connection, logger: logger)
        try await connection.query(
            "UPDATE segments SET deleted_at = now(), updated_at = now() WHERE workspace_id = \(workspaceID) AND id = \(id)",
            logger: logger
        )
        return segment
    }

    /// Current members per segment.
    static func sizes(in workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> [UUID: Int] {
        var sizes: [UUID: Int] = [:]
        for try await (id, size) in try await connection.query(
            """
            SELECT segment_id, count(*)::int FROM memberships WHERE workspace_id = \(workspaceID) AND exited_at IS NULL GROUP BY segment_id
            """,
            logger: logger
        ).decode((UUID, Int).self) {
            sizes[id] = size
        }
        return sizes
    }

    private static func recordVersion(of id: UUID, in workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO segment_versions (workspace_id, segment_id, version, definition, required_consent)
            SELECT workspace_id, id, version, definition, required_consent FROM segments WHERE workspace_id = \(workspaceID) AND id = \(id)
            """,
            logger: logger
        )
    }

    private static func refuseTakenName(_ name: String, except id: UUID?, in workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        let taken = try await connection.query(
            """
            SELECT 1 FROM segments WHERE workspace_id = \(workspaceID) AND name = \(name) AND deleted_at IS NULL
              AND (\(id)::uuid IS NULL OR id <> \(id))
            """,
            logger: logger
        ).collect().count > 0
        if taken { throw KinshipError(code: .segmentExists, status: .conflict, message: "A segment named '\(name)' exists already.") }
    }

    private static func decode(_ rows: PostgresRowSequence) async throws -> [StoredSegment] {
        var segments: [StoredSegment] = []
        for try await (id, name, description, definition, consent, version, createdAt, updatedAt) in rows.decode(
            (UUID, String, String, String, String?, Int, Date, Date).self
        ) {
            let json = try JSONValue.parse(definition)
            segments.append(StoredSegment(
                id: id, name: name, description: description, definitionJSON: json, definition: try SegmentDefinition(saved: json),
                requiredConsent: consent, version: version, createdAt: createdAt, updatedAt: updatedAt
            ))
        }
        return segments
    }
}
