import KinshipCore
import Testing
@testable import ReportingService

struct ReportingConfigurationTests {
    @Test func readsWhereTheOtherServicesAnswerAndAReplica() throws {
        let configuration = try ReportingConfiguration.load(from: Environment([
            "KINSHIP_IDENTITY_URL": "http://identity:8081", "KINSHIP_SEGMENTATION_URL": "http://segmentation:8082",
            "KINSHIP_REPORTING_READ_DATABASE_URL": "postgres://reader:pw@replica:5432/kinship?sslmode=require",
            "KINSHIP_REPORTING_AUTH_FAILURES_PER_MINUTE": "10",
        ]))
        #expect(configuration.identityURL == "http://identity:8081")
        #expect(configuration.segmentationURL == "http://segmentation:8082")
        #expect(configuration.readDatabase?.host == "replica")
        #expect(configuration.authenticationFailuresPerMinute == 10)
        let defaults = try ReportingConfiguration.load(from: Environment([:]))
        #expect(defaults.readDatabase == nil)
        #expect(throws: ConfigurationError.self) {
            try ReportingConfiguration.load(from: Environment(["KINSHIP_REPORTING_READ_DATABASE_URL": "mysql://nope"]))
        }
    }
}
