import Foundation
import Testing
import KinshipCore
import KinshipPrivacy
import KinshipDatabase
import KinshipOutbox
import KinshipService

struct ConfigurationTests {
    let valid: [String: String] = [
        "KINSHIP_DATABASE_URL": "postgres://kinship:s%40cret@db.internal:6543/kinship?sslmode=require",
        "KINSHIP_MASTER_KEY": Data(repeating: 7, count: 32).base64String,
        "KINSHIP_INTERNAL_TOKEN": "an-internal-token-long-enough",
    ]

    func load(_ service: ServiceName = .ingestion, changing changes: [String: String?] = [:]) throws -> ServiceConfiguration {
        var values = valid
        for (key, value) in changes { values[key] = value }
        return try ServiceConfiguration.load(service, from: Environment(values))
    }

    func failure(_ changes: [String: String?]) -> ConfigurationError? {
        do {
            _ = try load(changing: changes)
            return nil
        } catch {
            return error as? ConfigurationError
        }
    }

    @Test func validEnvironmentGivesTypedConfigurationWithDefaults() throws {
        let configuration = try load(.segmentation)
        #expect(configuration.database.host == "db.internal")
        #expect(configuration.database.port == 6543)
        #expect(configuration.database.password == "s@cret")
        #expect(configuration.database.requireTLS && configuration.database.sslMode == "require")
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8082)
        #expect(configuration.logLevel == .info)
        #expect(configuration.logFormat == .json)
    }

    @Test func eachServiceHasItsOwnDefaultPortAndOverride() throws {
        #expect(try load(.ingestion).port == 8080)
        #expect(try load(.identity).port == 8081)
        #expect(try load(.reporting).port == 8083)
        #expect(try load(.reporting, changing: ["KINSHIP_REPORTING_PORT": "9100", "KINSHIP_INGESTION_PORT": "9000"]).port == 9100)
    }

    @Test(arguments: ["KINSHIP_DATABASE_URL", "KINSHIP_MASTER_KEY", "KINSHIP_INTERNAL_TOKEN"])
    func missingRequiredVariableIsNamed(variable: String) {
        let error = failure([variable: nil])
        #expect(error?.variable == variable)
        #expect(error?.description.contains("is required") == true)
    }

    @Test func malformedValuesAreRefusedNamingTheVariable() {
        #expect(failure(["KINSHIP_INGESTION_PORT": "80a"])?.variable == "KINSHIP_INGESTION_PORT")
        #expect(failure(["KINSHIP_INGESTION_PORT": "70000"])?.variable == "KINSHIP_INGESTION_PORT")
        #expect(failure(["KINSHIP_INGESTION_PORT": "-1"])?.variable == "KINSHIP_INGESTION_PORT")
        #expect(failure(["KINSHIP_DATABASE_URL": "mysql://u@h/db"])?.variable == "KINSHIP_DATABASE_URL")
        #expect(failure(["KINSHIP_DATABASE_URL": "postgres://u@h"])?.variable == "KINSHIP_DATABASE_URL")
        #expect(failure(["KINSHIP_MASTER_KEY": "c2hvcnQ="])?.variable == "KINSHIP_MASTER_KEY")
        #expect(failure(["KINSHIP_INTERNAL_TOKEN": "short"])?.variable == "KINSHIP_INTERNAL_TOKEN")
        #expect(failure(["KINSHIP_LOG_LEVEL": "loud"])?.variable == "KINSHIP_LOG_LEVEL")
        #expect(failure(["KINSHIP_LOG_FORMAT": "xml"])?.variable == "KINSHIP_LOG_FORMAT")
        #expect(failure(["KINSHIP_RETIRED_MASTER_KEYS": "not-base64"])?.variable == "KINSHIP_RETIRED_MASTER_KEYS")
    }

    @Test func logSettingsAreParsed() throws {
        let configuration = try load(changing: ["KINSHIP_LOG_LEVEL": "DEBUG", "KINSHIP_LOG_FORMAT": "text"])
        #expect(configuration.logLevel == .debug)
        #expect(configuration.logFormat == .text)
    }

    @Test func consumerOptionsComeFromTheServicesVariables() throws {
        let defaults = try OutboxConsumerOptions.load(.identity, from: Environment([:]))
        #expect(defaults.batchSize == 500 && defaults.parallelPartitions == 4)
        let set = try OutboxConsumerOptions.load(.identity, from: Environment([
            "KINSHIP_IDENTITY_CONSUMER_BATCH_SIZE": "200", "KINSHIP_IDENTITY_CONSUMER_PARALLEL_PARTITIONS": "2",
            "KINSHIP_SEGMENTATION_CONSUMER_BATCH_SIZE": "7",
        ]))
        #expect(set.batchSize == 200 && set.parallelPartitions == 2)
        #expect(throws: ConfigurationError.self) {
            try OutboxConsumerOptions.load(.identity, from: Environment(["KINSHIP_IDENTITY_CONSUMER_BATCH_SIZE": "0"]))
        }
    }
}
