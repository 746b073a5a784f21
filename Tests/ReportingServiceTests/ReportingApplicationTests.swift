import KinshipDatabase
import KinshipService
import KinshipTestSupport
import Testing
@testable import ReportingService

struct ReportingApplicationTests {
    @Test func servesHealthReadinessMetricsAndErrors() async throws {
        try await TestDatabase.withClient { _ in }  // migrates the test database
        let app = try ReportingApplication.build(ServiceRuntime(configuration: TestKeys.configuration(.reporting)))
        try await OperationalRouteChecks.verify(app)
    }
}
