import Foundation
import KinshipCore
import KinshipDatabase
@testable import KinshipOutbox
import KinshipTestSupport
import PostgresNIO
import Synchronization
import Testing

/// An erasure's steps in their order: identity's first, and the steps of what is made from its rows after it.
struct PrivacyStepsTests {
    @Test func derivedStepsWaitForIdentitysWhichAnnouncesThem() async throws {
        try await TestDatabase.withClient { database in
            let tenancy = TenancyStore(database: database, keyring: TestKeys.keyring, logger: TestDatabase.logger)
            let workspace = try await tenancy.createWorkspace(name: TestKeys.uniqueName("steps"), actor: "test")
            let request = UUID()
            let profile = UUID()
            try await database.query(
                """
                INSERT INTO privacy_requests (workspace_id, id, kind, subject, status, requested_by, profile_ids)
                VALUES (\(workspace.id), \(request), 'erase', '[]', 'running', 'test', \([profile])::uuid[])
                """,
                logger: TestDatabase.logger
            )
            for service in PrivacyStepService.allCases {
                try await database.query(
                    "INSERT INTO privacy_request_steps (workspace_id, request_id, service) VALUES (\(workspace.id), \(request), \(service.rawValue))",
                    logger: TestDatabase.logger
                )
            }
            let erased = ErasedSteps()
            func deliver(_ payload: PrivacyRequestMessage, to service: PrivacyStepService) async throws {
                let message = OutboxMessage(
                    id: 1, topic: OutboxTopic.privacy.name, partition: 0, workspaceID: workspace.id, key: request.lowercased,
                    payload: String(decoding: try JSONCoding.encoder().encode(payload), as: UTF8.self), createdAt: Date()
                )
                try await database.transaction(logger: TestDatabase.logger) { connection in
                    try await PrivacySteps.handle(message, as: service, erase: { _, _, _ in
                        erased.add(service)
                        return ["rows": 1]
                    }, on: connection, logger: TestDatabase.logger)
                }
            }
            let asked = PrivacyRequestMessage(requestId: request.lowercased, kind: .erase, profileIds: [profile.lowercased])
            // The request's own message: segmentation waits, identity goes.
            try await deliver(asked, to: .segmentation)
            #expect(erased.services.isEmpty)
            try await deliver(asked, to: .identity)
            #expect(erased.services == [.identity])

            // Identity announced the derived steps in its transaction; identity itself ignores that message.
            let announced = try await database.query(
                "SELECT payload FROM outbox WHERE topic = 'privacy' AND workspace_id = \(workspace.id)", logger: TestDatabase.logger
            ).decode(String.self).collectAll()
            let derived = try announced.map { try JSONCoding.decode(PrivacyRequestMessage.self, from: Data($0.utf8)) }.filter { $0.stage == .derived }
            #expect(derived.count == 1 && derived.first?.requestId == request.lowercased && derived.first?.profileIds == [profile.lowercased])
            try await deliver(derived[0], to: .identity)
            try await deliver(derived[0], to: .segmentation)
            try await deliver(derived[0], to: .reporting)
            #expect(erased.services == [.identity, .segmentation, .reporting])
            // Delivered again: nothing is done twice; the request is complete.
            try await deliver(derived[0], to: .segmentation)
            try await deliver(asked, to: .reporting)
            #expect(erased.services == [.identity, .segmentation, .reporting])
            let status = try await database.query(
                "SELECT status FROM privacy_requests WHERE workspace_id = \(workspace.id) AND id = \(request)", logger: TestDatabase.logger
            ).decode(String.self).collectAll()
            #expect(status == ["done"])
        }
    }
}

/// The steps carried out, in order.
private final class ErasedSteps: Sendable {
    private let list = Mutex<[PrivacyStepService]>([])
    func add(_ service: PrivacyStepService) { list.withLock { $0.append(service) } }
    var services: [PrivacyStepService] { list.withLock { $0 } }
}
