import Foundation
import KinshipCore
import KinshipDatabase
import KinshipTestSupport
import NIOCore
import Testing
@testable import ReportingService

/// The failed-authentication budget per client address holds under concurrent guesses.
struct APIKeyAuthenticatorTests {
    static func outcome(_ access: APIKeyAuthenticator, _ secret: String, from address: String) async -> ErrorCode? {
        await errorCode { _ = try await access.authenticate(secret: secret, from: address, requiring: .viewer) }
    }

    @Test func concurrentGuessesCannotAllPassOnTheLastCreditAndValidKeysSpendNone() async throws {
        try await TestDatabase.withClient { database in
            let tenancy = TenancyStore(database: database, keyring: TestKeys.keyring, logger: TestDatabase.logger)
            let workspace = try await tenancy.createWorkspace(name: TestKeys.uniqueName("auth"), actor: "test")
            let valid = try await tenancy.createAPIKey(in: workspace, name: "valid", role: .viewer, actor: "test").secret
            // Six a minute: a burst of three.
            let access = APIKeyAuthenticator(tenancy: tenancy, failuresPerMinute: 6)
            let guesses = await concurrently(20) { await Self.outcome(access, "ka_guess-\($0)", from: "192.0.2.1") }
            #expect(guesses.filter { $0 == .invalidAPIKey }.count == 3, "\(guesses)")
            #expect(guesses.filter { $0 == .rateLimited }.count == 17)

            // From another address a valid key works again and again without spending the budget.
            for _ in 0..<10 { #expect(await Self.outcome(access, valid, from: "192.0.2.2") == nil) }
            let after = await concurrently(6) { await Self.outcome(access, "ka_other-\($0)", from: "192.0.2.2") }
            #expect(after.filter { $0 == .invalidAPIKey }.count == 3, "\(after)")
            // A key found valid keeps working from the address its guessers exhausted.
            #expect(await Self.outcome(access, valid, from: "192.0.2.2") == nil)
        }
    }

    @Test func anIPv6HostIsCountedByItsSlash64AndAMappedIPv4ByItsAddress() throws {
        func key(_ address: String) throws -> String { ClientAddress.rateLimitKey(try SocketAddress(ipAddress: address, port: 443)) }
        #expect(try key("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64")
        #expect(try key("2001:db8:1:2:ffff::1") == key("2001:db8:1:2:3:4:5:6"))
        #expect(try key("2001:db8:1:3::1") != key("2001:db8:1:2::1"))
        #expect(try key("::ffff:192.0.2.1") == "192.0.2.1")
        #expect(try key("192.0.2.1") == "192.0.2.1")
        #expect(ClientAddress.rateLimitKey(nil) == "-")
    }
}
