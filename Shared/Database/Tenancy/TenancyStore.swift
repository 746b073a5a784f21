import Foundation
import KinshipCore
import KinshipPrivacy
import Logging
import PostgresNIO

/// Creates and finds workspaces, sources and API keys, and authenticates their secrets.
public struct TenancyStore: Sendable {
    public let database: PostgresClient
    let keyring: MasterKeyring
    let logger: Logger

    public init(database: PostgresClient, keyring: MasterKeyring, logger: Logger) {
        self.database = database
        self.keyring = keyring
        self.logger = logger
    }

    public func createWorkspace(name: String, actor: String) async throws -> Workspace {
        guard name.wholeMatch(of: /[a-z0-9][a-z0-9_-]{0,62}/) != nil else {
            throw KinshipError.badRequest(
                .invalidWorkspaceName, "A workspace name is 1–63 lowercase letters, digits, '-' or '_', starting with a letter or digit."
            )
        }
        guard UUID(uuidString: name) == nil else {
            throw KinshipError.badRequest(.invalidWorkspaceName, "A workspace name cannot be a UUID: it would be taken for a workspace id.")
        }
        let id = UUID()
        let dataKey = try keyring.wrap(.generate())
        let indexKey = try keyring.wrap(.generate())
        let conflict = KinshipError(code: .workspaceExists, status: .conflict, message: "A workspace named '\(name)' exists already.")
        try await database.transaction(logger: logger) { connection in
            try await insertUnique(
                connection,
                "INSERT INTO workspaces (id, name, data_key, index_key) VALUES (\(id), \(name), \(dataKey), \(indexKey)) ON CONFLICT (name) DO NOTHING RETURNING 1",
                conflict: conflict
            )
            try await audit(connection, workspaceID: id, actor: actor, action: "workspace.created", target: name)
        }
        return try await workspace(.name(name))
    }

    public func workspaces() async throws -> [Workspace] {
        var result: [Workspace] = []
        for try await (id, name, createdAt) in try await database.query(
            "SELECT id, name, created_at FROM workspaces ORDER BY name", logger: logger
        ).decode((UUID, String, Date).self) {
            result.append(Workspace(id: id, name: name, createdAt: createdAt))
        }
        return result
    }

    /// The workspace the reference names; `not_found`, saying what was asked for, when there is none.
    public func workspace(_ reference: WorkspaceReference) async throws -> Workspace {
        try await Self.workspace(reference, database: database, logger: logger)
    }

    /// `workspace(_:)` without a store: looking a workspace up needs no master key, and commands that only
    /// read (`kinship profiles`, `kinship rules`) are not given one.
    public static func workspace(_ reference: WorkspaceReference, database: PostgresClient, logger: Logger) async throws -> Workspace {
        let query: PostgresQuery = switch reference {
        case .name(let name): "SELECT id, name, created_at FROM workspaces WHERE name = \(name)"
        case .id(let id): "SELECT id, name, created_at FROM workspaces WHERE id = \(id)"
        }
        for try await (id, name, createdAt) in try await database.query(query, logger: logger).decode((UUID, String, Date).self) {
            return Workspace(id: id, name: name, createdAt: createdAt)
        }
        switch reference {
        case .name(let name): throw KinshipError.notFound("No workspace is named '\(name)'.")
        case .id(let id): throw KinshipError.notFound("No workspace has the id \(id.lowercased).")
        }
    }

    public func keys(for workspaceID: UUID) async throws -> WorkspaceKeys {
        for try await (dataKey, indexKey) in try await database.query(
            "SELECT data_key, index_key FROM workspaces WHERE id = \(workspaceID)", logger: logger
        ).decode((Data, Data).self) {
            return WorkspaceKeys(dataKey: try keyring.unwrap(dataKey), blindIndex: try keyring.unwrap(indexKey).blindIndex)
        }
        throw KinshipError.notFound("No such workspace.")
    }

    public func createSource(in workspace: Workspace, name: String, kind: SourceKind = .server, actor: String) async throws -> CreatedSecret<Source> {
        let source = Source(workspaceID: workspace.id, id: UUID(), name: name, kind: kind)
        let writeKey = SecretToken.generate(prefix: "wk_")
        try await database.transaction(logger: logger) { connection in
            try await insertUnique(
                connection,
                """
                INSERT INTO sources (workspace_id, id, name, kind, write_key_hash)
                VALUES (\(source.workspaceID), \(source.id), \(name), \(kind.rawValue), \(SecretToken.hash(writeKey)))
                ON CONFLICT (workspace_id, name) DO NOTHING RETURNING 1
                """,
                conflict: KinshipError(code: .sourceExists, status: .conflict, message: "A source named '\(name)' exists already.")
            )
            try await audit(connection, workspaceID: workspace.id, actor: actor, action: "source.created", target: "\(name) (\(kind.rawValue))")
        }
        return CreatedSecret(owner: source, secret: writeKey)
    }

    public func createAPIKey(in workspace: Workspace, name: String, role: APIRole, actor: String) async throws -> CreatedSecret<APIKey> {
        let key = APIKey(workspaceID: workspace.id, id: UUID(), name: name, role: role)
        let secret = SecretToken.generate(prefix: "ka_")
        try await database.transaction(logger: logger) { connection in
            try await connection.query(
                "INSERT INTO api_keys (workspace_id, id, name, role, key_hash) VALUES (\(key.workspaceID), \(key.id), \(name), \(role.rawValue), \(SecretToken.hash(secret)))",
                logger: logger
            )
            try await audit(connection, workspaceID: workspace.id, actor: actor, action: "api_key.created", target: "\(name) (\(role.rawValue))")
        }
        return CreatedSecret(owner: key, secret: secret)
    }

    /// The source a write key belongs to, or nil (unknown, or its source disabled).
    public func source(forWriteKey writeKey: String) async throws -> Source? {
        for try await (workspaceID, id, name, kind) in try await database.query(
            "SELECT workspace_id, id, name, kind FROM sources WHERE write_key_hash = \(SecretToken.hash(writeKey)) AND disabled_at IS NULL",
            logger: logger
        ).decode((UUID, UUID, String, String).self) {
            guard let kind = SourceKind(rawValue: kind) else { return nil }
            return Source(workspaceID: workspaceID, id: id, name: name, kind: kind)
        }
        return nil
    }

    /// The API key a secret belongs to, or nil (unknown or revoked).
    public func apiKey(forSecret secret: String) async throws -> APIKey? {
        let rows = try await database.withConnection { connection in
            try await connection.rows(APIKeyBySecret(hash: SecretToken.hash(secret)), logger: logger)
        }
        guard let (workspaceID, id, name, role) = rows.first, let role = APIRole(rawValue: role) else { return nil }
        return APIKey(workspaceID: workspaceID, id: id, name: name, role: role)
    }

    /// Every call to the public API looks its key up (no cache, so a revoked key stops at once): prepared
    /// once per connection.
    struct APIKeyBySecret: PostgresPreparedStatement {
        static let sql = "SELECT workspace_id, id, name, role FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL"
        typealias Row = (UUID, UUID, String, String)

        let hash: Data

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            try bindings.append(hash)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// Runs an `INSERT … ON CONFLICT DO NOTHING RETURNING 1` and throws `conflict` when it inserted nothing.
    private func insertUnique(_ connection: PostgresConnection, _ query: PostgresQuery, conflict: KinshipError) async throws {
        let inserted = try await connection.query(query, logger: logger).decode(Int.self).first(where: { _ in true }) != nil
        guard inserted else { throw conflict }
    }

    func audit(_ connection: PostgresConnection, workspaceID: UUID, actor: String, action: String, target: String) async throws {
        try await connection.query(
            "INSERT INTO audit_log (workspace_id, actor, action, target) VALUES (\(workspaceID), \(actor), \(action), \(target))",
            logger: logger
        )
    }
}
