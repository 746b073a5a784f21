import Foundation
import KinshipCore
import KinshipPrivacy
import PostgresNIO

/// What operators do to a source after creating it: list, disable, enable, rotate its write key.
///
/// Ingestion caches each write key's source (`SourceDirectory`), so a change here reaches a running
/// ingestion process within that cache's lifetime (`KINSHIP_WRITE_KEY_CACHE_SECONDS`), not at once.
extension TenancyStore {
    /// The workspace's sources, enabled or not, by name.
    public func sources(in workspace: Workspace) async throws -> [SourceRecord] {
        var result: [SourceRecord] = []
        for try await (id, name, kind, createdAt, disabledAt) in try await database.query(
            "SELECT id, name, kind, created_at, disabled_at FROM sources WHERE workspace_id = \(workspace.id) ORDER BY name",
            logger: logger
        ).decode((UUID, String, String, Date, Date?).self) {
            result.append(SourceRecord(
                source: Source(workspaceID: workspace.id, id: id, name: name, kind: SourceKind(rawValue: kind) ?? .browser),
                createdAt: createdAt, disabledAt: disabledAt
            ))
        }
        return result
    }

    /// Disables the source (its write key is refused from then on) or enables it again.
    /// `.unchanged` when it already was so; `not_found` when the workspace has no source of that name.
    public func setSource(named name: String, in workspace: Workspace, disabled: Bool, actor: String) async throws -> StateChange {
        try await database.transaction(logger: logger) { connection in
            let changed = try await connection.query(
                """
                UPDATE sources SET disabled_at = CASE WHEN \(disabled) THEN now() END
                WHERE workspace_id = \(workspace.id) AND name = \(name) AND (disabled_at IS NULL) = \(disabled)
                RETURNING 1
                """,
                logger: logger
            ).decode(Int.self).first(where: { _ in true }) != nil
            guard changed else {
                try await requireSource(named: name, in: workspace, connection)
                return .unchanged
            }
            try await audit(connection, workspaceID: workspace.id, actor: actor, action: disabled ? "source.disabled" : "source.enabled", target: name)
            return .changed
        }
    }

    /// Gives the source a new write key, shown once; the old key stops authenticating at once (no grace
    /// period: a key is rotated because it may be known to someone it should not be). A disabled source
    /// stays disabled.
    public func rotateWriteKey(ofSourceNamed name: String, in workspace: Workspace, actor: String) async throws -> CreatedSecret<SourceRecord> {
        let writeKey = SecretToken.generate(prefix: "wk_")
        let record: SourceRecord = try await database.transaction(logger: logger) { connection in
            var record: SourceRecord?
            for try await (id, createdAt, disabledAt) in try await connection.query(
                """
                UPDATE sources SET write_key_hash = \(SecretToken.hash(writeKey))
                WHERE workspace_id = \(workspace.id) AND name = \(name)
                RETURNING id, created_at, disabled_at
                """,
                logger: logger
            ).decode((UUID, Date, Date?).self) {
                record = SourceRecord(source: Source(workspaceID: workspace.id, id: id, name: name), createdAt: createdAt, disabledAt: disabledAt)
            }
            guard let record else { throw Self.noSource(named: name, in: workspace) }
            try await audit(connection, workspaceID: workspace.id, actor: actor, action: "source.rotated", target: name)
            return record
        }
        return CreatedSecret(owner: record, secret: writeKey)
    }

    private func requireSource(named name: String, in workspace: Workspace, _ connection: PostgresConnection) async throws {
        let exists = try await connection.query(
            "SELECT 1 FROM sources WHERE workspace_id = \(workspace.id) AND name = \(name)", logger: logger
        ).decode(Int.self).first(where: { _ in true }) != nil
        guard exists else { throw Self.noSource(named: name, in: workspace) }
    }

    private static func noSource(named name: String, in workspace: Workspace) -> KinshipError {
        .notFound("Workspace '\(workspace.name)' has no source named '\(name)'.")
    }
}
