import Foundation
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import KinshipTestSupport
import PostgresNIO
import Testing

/// Disabling, enabling and rotating sources and revoking API keys, through the store the CLI uses.
struct TenancyRevocationTests {
    let logger = TestDatabase.logger

    func auditActions(_ workspace: Workspace, _ client: PostgresClient) async throws -> [String] {
        try await client.query(
            "SELECT action || ' ' || target FROM audit_log WHERE workspace_id = \(workspace.id) ORDER BY id", logger: logger
        ).decode(String.self).collectAll()
    }

    @Test func aDisabledSourcesKeyIsRefusedUntilItIsEnabledAgain() async throws {
        try await TestDatabase.withClient { client in
            let tenancy = TenancyStore(database: client, keyring: TestKeys.keyring, logger: logger)
            let workspace = try await tenancy.createWorkspace(name: TestKeys.uniqueName(), actor: "test")
            let web = try await tenancy.createSource(in: workspace, name: "web", actor: "test")
            let pos = try await tenancy.createSource(in: workspace, name: "pos", actor: "test")

            #expect(try await tenancy.setSource(named: "web", in: workspace, disabled: true, actor: "ops") == .changed)
            #expect(try await tenancy.source(forWriteKey: web.secret) == nil)
            #expect(try await tenancy.source(forWriteKey: pos.secret) == pos.owner, "only the named source is disabled")
            #expect(try await tenancy.setSource(named: "web", in: workspace, disabled: true, actor: "ops") == .unchanged)

            let listed = try await tenancy.sources(in: workspace)
            #expect(listed.map(\.source) == [pos.owner, web.owner])
            #expect(listed.map { $0.disabledAt != nil } == [false, true])

            #expect(try await tenancy.setSource(named: "web", in: workspace, disabled: false, actor: "ops") == .changed)
            #expect(try await tenancy.source(forWriteKey: web.secret) == web.owner)
            #expect(try await tenancy.sources(in: workspace).allSatisfy { $0.disabledAt == nil })

            await #expect(throws: KinshipError.notFound("Workspace '\(workspace.name)' has no source named 'app'.")) {
                try await tenancy.setSource(named: "app", in: workspace, disabled: true, actor: "ops")
            }
            #expect(try await auditActions(workspace, client) == [
                "workspace.created \(workspace.name)", "source.created web (server)", "source.created pos (server)",
                "source.disabled web", "source.enabled web",
            ])
        }
    }

    @Test func rotatingAWriteKeyRetiresTheOldOneAtOnce() async throws {
        try await TestDatabase.withClient { client in
            let tenancy = TenancyStore(database: client, keyring: TestKeys.keyring, logger: logger)
            let workspace = try await tenancy.createWorkspace(name: TestKeys.uniqueName(), actor: "test")
            let web = try await tenancy.createSource(in: workspace, name: "web", actor: "test")

            let rotated = try await tenancy.rotateWriteKey(ofSourceNamed: "web", in: workspace, actor: "ops")
            #expect(rotated.secret.hasPrefix("wk_") && rotated.secret != web.secret)
            #expect(rotated.owner.source == web.owner && rotated.owner.disabledAt == nil)
            #expect(try await tenancy.source(forWriteKey: web.secret) == nil)
            #expect(try await tenancy.source(forWriteKey: rotated.secret) == web.owner)
            let hashes = try await client.query(
                "SELECT write_key_hash FROM sources WHERE workspace_id = \(workspace.id)", logger: logger
            ).decode(Data.self).collectAll()
            #expect(hashes == [SecretToken.hash(rotated.secret)])

            // A disabled source stays disabled: its new key works only once it is enabled.
            _ = try await tenancy.setSource(named: "web", in: workspace, disabled: true, actor: "ops")
            let again = try await tenancy.rotateWriteKey(ofSourceNamed: "web", in: workspace, actor: "ops")
            #expect(again.owner.disabledAt != nil)
            #expect(try await tenancy.source(forWriteKey: again.secret) == nil)

            await #expect(throws: KinshipError.self) { try await tenancy.rotateWriteKey(ofSourceNamed: "app", in: workspace, actor: "ops") }
            #expect(try await auditActions(workspace, client).suffix(3) == ["source.rotated web", "source.disabled web", "source.rotated web"])
        }
    }

    @Test func aRevokedAPIKeyNoLongerAuthenticatesAndSharedNamesNeedAnID() async throws {
        try await TestDatabase.withClient { client in
            let tenancy = TenancyStore(database: client, keyring: TestKeys.keyring, logger: logger)
            let workspace = try await tenancy.createWorkspace(name: TestKeys.uniqueName(), actor: "test")
            let ops = try await tenancy.createAPIKey(in: workspace, name: "ops", role: .admin, actor: "test")
            let first = try await tenancy.createAPIKey(in: workspace, name: "default", role: .viewer, actor: "test")
            let second = try await tenancy.createAPIKey(in: workspace, name: "default", role: .analyst, actor: "test")

            let revoked = try await tenancy.revokeAPIKey(.name("ops"), in: workspace, actor: "ops")
            #expect(revoked.key == ops.owner && revoked.change == .changed)
            #expect(try await tenancy.apiKey(forSecret: ops.secret) == nil)
            #expect(try await tenancy.revokeAPIKey(.name("ops"), in: workspace, actor: "ops").change == .unchanged)

            do {
                _ = try await tenancy.revokeAPIKey(.name("default"), in: workspace, actor: "ops")
                Issue.record("revoked one of two keys that share a name")
            } catch let error as KinshipError {
                #expect(error.code == .ambiguousKeyName && error.status == .conflict)
                #expect(error.message.contains(first.owner.id.lowercased) && error.message.contains(second.owner.id.lowercased))
            }
            #expect(try await tenancy.apiKey(forSecret: first.secret) == first.owner)
            #expect(try await tenancy.revokeAPIKey(.id(first.owner.id), in: workspace, actor: "ops").change == .changed)
            #expect(try await tenancy.apiKey(forSecret: first.secret) == nil)
            #expect(try await tenancy.apiKey(forSecret: second.secret) == second.owner)
            // With one of the two revoked, the name is no longer ambiguous.
            #expect(try await tenancy.revokeAPIKey(.name("default"), in: workspace, actor: "ops").key == second.owner)

            let listed = try await tenancy.apiKeys(in: workspace)
            #expect(Set(listed.map(\.key.id)) == [ops.owner.id, first.owner.id, second.owner.id])
            #expect(listed.allSatisfy { $0.revokedAt != nil })
            await #expect(throws: KinshipError.self) { try await tenancy.revokeAPIKey(.id(UUID()), in: workspace, actor: "ops") }
            // A key of another workspace cannot be revoked from this one.
            let other = try await tenancy.createWorkspace(name: TestKeys.uniqueName(), actor: "test")
            let foreign = try await tenancy.createAPIKey(in: other, name: "ops", role: .admin, actor: "test")
            await #expect(throws: KinshipError.self) { try await tenancy.revokeAPIKey(.id(foreign.owner.id), in: workspace, actor: "ops") }
            #expect(try await tenancy.apiKey(forSecret: foreign.secret) == foreign.owner)

            #expect(try await auditActions(workspace, client).filter { $0.hasPrefix("api_key.revoked") } == [
                "api_key.revoked ops (\(ops.owner.id.lowercased))",
                "api_key.revoked default (\(first.owner.id.lowercased))",
                "api_key.revoked default (\(second.owner.id.lowercased))",
            ])
        }
    }
}
