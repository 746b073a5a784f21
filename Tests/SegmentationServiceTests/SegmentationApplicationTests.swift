import KinshipDatabase
import KinshipService
import KinshipTestSupport
import Testing
@testable import SegmentationService

struct SegmentationApplicationTests {
    @Test func servesHealthReadinessMetricsAndErrors() async throws {
        try await TestDatabase.withClient { _ in }  // migrates the test database
        let app = SegmentationApplication.build(ServiceRuntime(configuration: TestKeys.configuration(.segmentation)))
        try await OperationalRouteChecks.verify(app)
    }
}
