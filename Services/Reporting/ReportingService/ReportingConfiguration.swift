import Foundation
import KinshipCore
import KinshipDatabase

/// The reporting service's own settings (docs/configuration.md).
public struct ReportingConfiguration: Sendable {
    /// Identity's internal API, for profiles and lookups by identifier.
    public var identityURL = "http://127.0.0.1:8081"
    /// Segmentation's internal API, for segments, previews and a profile's computed traits.
    public var segmentationURL = "http://127.0.0.1:8082"
    /// A read replica for the reports' queries; the primary when unset.
    public var readDatabase: DatabaseURL?
    /// Failed authentications allowed per client address and minute before its unknown keys are refused (`429`).
    public var authenticationFailuresPerMinute = 30

    public init() {}

    public static func load(from environment: Environment = Environment()) throws -> ReportingConfiguration {
        var configuration = ReportingConfiguration()
        configuration.identityURL = environment.optional("KINSHIP_IDENTITY_URL") ?? configuration.identityURL
        configuration.segmentationURL = environment.optional("KINSHIP_SEGMENTATION_URL") ?? configuration.segmentationURL
        if let read = environment.optional("KINSHIP_REPORTING_READ_DATABASE_URL") {
            configuration.readDatabase = try DatabaseURL(parsing: read, variable: "KINSHIP_REPORTING_READ_DATABASE_URL")
        }
        configuration.authenticationFailuresPerMinute = try environment.integer(
            "KINSHIP_REPORTING_AUTH_FAILURES_PER_MINUTE", default: 30, range: 1...100_000
        )
        return configuration
    }
}
