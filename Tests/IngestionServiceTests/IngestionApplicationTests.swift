import KinshipDatabase
import KinshipService
import KinshipTestSupport
import Testing
@testable import IngestionService

struct IngestionApplicationTests {
    @Test func servesHealthReadinessMetricsAndErrors() async throws {
        try await TestDatabase.withClient { _ in }  // migrates the test database
        let app = try IngestionApplication.build(ServiceRuntime(configuration: TestKeys.configuration(.ingestion)))
        try await OperationalRouteChecks.verify(app)
    }
}
