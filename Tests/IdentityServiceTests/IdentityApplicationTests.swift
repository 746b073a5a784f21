import KinshipTestSupport
import Shared
import Testing
@testable import IdentityService

struct IdentityApplicationTests {
    @Test func servesHealthReadinessMetricsAndErrors() async throws {
        try await TestDatabase.withClient { _ in }  // migrates the test database
        let app = IdentityApplication.build(ServiceRuntime(configuration: TestKeys.configuration(.identity)))
        try await OperationalRouteChecks.verify(app)
    }
}
