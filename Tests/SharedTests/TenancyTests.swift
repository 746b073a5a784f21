import Foundation
import KinshipTestSupport
import PostgresNIO
import Testing
import KinshipCore
import KinshipPrivacy
import KinshipDatabase
import KinshipOutbox
import KinshipInternalClient
import KinshipService

struct TenancyTests {
    let logger = TestDatabase.logger

    @Test func workspaceSourceAndKeyLifecycle() async throws {
        try await TestDatabase.withClient { client in
            let tenancy = TenancyStore(database: client, keyring: TestKeys.keyring, logger: logger)
            let name = TestKeys.uniqueName()
            let workspace = try await tenancy.createWorkspace(name: name, actor: "test")
            #expect(try await tenancy.workspace(.name(name)) == workspace)
            #expect(try await tenancy.workspace(.id(workspace.id)) == workspace)
            #expect(try await TenancyStore.workspace(WorkspaceReference(workspace.id.uuidString), database: client, logger: logger) == workspace)
            #expect(try await tenancy.workspaces().contains(workspace))

            let source = try await tenancy.createSource(in: workspace, name: "web", actor: "test")
            #expect(try await tenancy.source(forWriteKey: source.secret) == source.owner)
            #expect(try await tenancy.source(forWriteKey: source.secret + "x") == nil)

            let key = try await tenancy.createAPIKey(in: workspace, name: "ops", role: .analyst, actor: "test")
            #expect(try await tenancy.apiKey(forSecret: key.secret) == key.owner)
            #expect(key.owner.role == .analyst && !key.owner.role.seesRawPII)

            // Only hashes are stored: the secrets appear in no column.
            let stored = try await client.query(
                "SELECT count(*) FROM sources s, api_keys k WHERE s.write_key_hash::text LIKE '%' || \(source.secret) || '%' OR k.key_hash::text LIKE '%' || \(key.secret) || '%'",
                logger: logger
            ).decode(Int.self).collectAll()
            #expect(stored == [0])
            let hash = try await client.query(
                "SELECT write_key_hash FROM sources WHERE workspace_id = \(workspace.id)", logger: logger
            ).decode(Data.self).collectAll()
            #expect(hash == [SecretToken.hash(source.secret)])

            let audit = try await client.query(
                "SELECT action FROM audit_log WHERE workspace_id = \(workspace.id) ORDER BY id", logger: logger
            ).decode(String.self).collectAll()
            #expect(audit == ["workspace.created", "source.created", "api_key.created"])
        }
    }

    @Test func duplicatesAndBadNamesAreRefusedWithStableCodes() async throws {
        try await TestDatabase.withClient { client in
            let tenancy = TenancyStore(database: client, keyring: TestKeys.keyring, logger: logger)
            let name = TestKeys.uniqueName()
            let workspace = try await tenancy.createWorkspace(name: name, actor: "test")
            await #expect(throws: KinshipError.self) { try await tenancy.createWorkspace(name: name, actor: "test") }
            do {
                _ = try await tenancy.createWorkspace(name: name, actor: "test")
            } catch let error as KinshipError {
                #expect(error.code == .workspaceExists && error.status == .conflict)
            }
            for bad in ["", "Upper", "-lead", "has space", String(repeating: "a", count: 64), "x'; DROP TABLE workspaces; --", UUID().uuidString.lowercased()] {
                do {
                    _ = try await tenancy.createWorkspace(name: bad, actor: "test")
                    Issue.record("accepted '\(bad)'")
                } catch let error as KinshipError {
                    #expect(error.code == .invalidWorkspaceName)
                }
            }
            _ = try await tenancy.createSource(in: workspace, name: "pos", actor: "test")
            do {
                _ = try await tenancy.createSource(in: workspace, name: "pos", actor: "test")
                Issue.record("duplicate source accepted")
            } catch let error as KinshipError {
                #expect(error.code == .sourceExists)
            }
            await #expect(throws: KinshipError.notFound("No workspace is named 'no-such-workspace'.")) {
                try await tenancy.workspace(WorkspaceReference("no-such-workspace"))
            }
            let unknown = UUID()
            await #expect(throws: KinshipError.notFound("No workspace has the id \(unknown.uuidString.lowercased()).")) {
                try await tenancy.workspace(WorkspaceReference(unknown.uuidString))
            }
        }
    }

    @Test func workspaceKeysUnwrapAndSurviveMasterKeyRotation() async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url) { client in
                let oldRaw = Data((0..<32).map { _ in UInt8.random(in: 0...255) })
                let old = try MasterKeyring(current: oldRaw)
                let before = TenancyStore(database: client, keyring: old, logger: logger)
                let workspace = try await before.createWorkspace(name: "rotation", actor: "test")
                let keys = try await before.keys(for: workspace.id)
                let sealed = try keys.dataKey.seal("somchai@example.co.th")
                let token = keys.blindIndex.token(type: "email", normalizedValue: "somchai@example.co.th")

                let newRaw = Data((0..<32).map { _ in UInt8.random(in: 0...255) })
                let rotated = TenancyStore(database: client, keyring: try MasterKeyring(current: newRaw, retired: [oldRaw]), logger: logger)
                #expect(try await rotated.rewrapKeys(actor: "test").rewrapped == 2)
                #expect(try await rotated.rewrapKeys(actor: "test").rewrapped == 0)

                let after = TenancyStore(database: client, keyring: try MasterKeyring(current: newRaw), logger: logger)
                let keysAfter = try await after.keys(for: workspace.id)
                #expect(try keysAfter.dataKey.openString(sealed) == "somchai@example.co.th")
                #expect(keysAfter.blindIndex.token(type: "email", normalizedValue: "somchai@example.co.th") == token)
                await #expect(throws: DecryptionError.self) { try await before.keys(for: workspace.id) }
            }
        }
    }
}
