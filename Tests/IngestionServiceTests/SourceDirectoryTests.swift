import Foundation
import KinshipCore
import KinshipDatabase
import KinshipTestSupport
import Testing
@testable import IngestionService

/// The failed-authentication budget per client address holds under concurrent guesses of write keys.
struct SourceDirectoryTests {
    static func outcome(_ directory: SourceDirectory, _ key: String, from address: String) async -> ErrorCode? {
        await errorCode { _ = try await directory.authenticate(writeKey: key, clientAddress: address) }
    }

    @Test func concurrentGuessesCannotAllPassOnTheLastCreditAndValidKeysSpendNone() async throws {
        try await TestDatabase.withClient { database in
            let tenancy = TenancyStore(database: database, keyring: TestKeys.keyring, logger: TestDatabase.logger)
            let workspace = try await tenancy.createWorkspace(name: TestKeys.uniqueName("keys"), actor: "test")
            let valid = try await tenancy.createSource(in: workspace, name: "web", actor: "test").secret
            // Six a minute: a burst of three.
            let directory = SourceDirectory(
                database: database, keyring: TestKeys.keyring, logger: TestDatabase.logger, lifetime: .seconds(60), failuresPerMinute: 6
            )
            let guesses = await concurrently(20) { await Self.outcome(directory, "wk_guess-\($0)", from: "192.0.2.1") }
            #expect(guesses.filter { $0 == .invalidWriteKey }.count == 3, "\(guesses)")
            #expect(guesses.filter { $0 == .rateLimited }.count == 17)
            // A valid key from a fresh address is looked up and spends nothing of its budget.
            #expect(await Self.outcome(directory, valid, from: "192.0.2.2") == nil)
            let after = await concurrently(6) { await Self.outcome(directory, "wk_other-\($0)", from: "192.0.2.2") }
            #expect(after.filter { $0 == .invalidWriteKey }.count == 3, "\(after)")
        }
    }
}
