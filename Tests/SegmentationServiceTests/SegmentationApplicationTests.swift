import KinshipCore
import KinshipDatabase
import KinshipService
import KinshipTestSupport
import Testing
@testable import SegmentationService

struct SegmentationApplicationTests {
    @Test func servesHealthReadinessMetricsAndErrors() async throws {
        // Its own database: the application's consumers and due-time loop take every workspace's work.
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url) { _ in }  // migrates
            let configuration = try ServiceConfiguration.load(.segmentation, from: Environment(TestKeys.environment(url: url)))
            try await OperationalRouteChecks.verify(SegmentationApplication.build(ServiceRuntime(configuration: configuration)))
        }
    }
}
