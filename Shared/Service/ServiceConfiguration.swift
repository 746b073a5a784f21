import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import Logging

/// What every service needs to start, read from `KINSHIP_*` variables and checked once, at start.
public struct ServiceConfiguration: Sendable {
    public var service: ServiceName
    public var database: DatabaseURL
    public var host: String
    public var port: Int
    public var internalToken: String
    public var masterKeys: MasterKeyring
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    /// A connection that sends nothing for this long is closed, whether idle between requests or stalled
    /// inside one (headers or body that stop coming): slow clients cannot hold connections open.
    public var idleTimeout: Duration = .seconds(60)

    public init(
        service: ServiceName, database: DatabaseURL, host: String = "127.0.0.1", port: Int? = nil,
        internalToken: String, masterKeys: MasterKeyring, logLevel: Logger.Level = .info, logFormat: LogFormat = .json
    ) {
        self.service = service
        self.database = database
        self.host = host
        self.port = port ?? service.defaultPort
        self.internalToken = internalToken
        self.masterKeys = masterKeys
        self.logLevel = logLevel
        self.logFormat = logFormat
    }

    public static let minimumInternalTokenLength = 16

    public static func load(_ service: ServiceName, from environment: Environment = Environment()) throws -> ServiceConfiguration {
        let token = try environment.required("KINSHIP_INTERNAL_TOKEN")
        guard token.count >= minimumInternalTokenLength else {
            throw ConfigurationError(
                variable: "KINSHIP_INTERNAL_TOKEN", problem: "must be at least \(minimumInternalTokenLength) characters"
            )
        }
        var configuration = ServiceConfiguration(
            service: service,
            database: try DatabaseURL(parsing: environment.required("KINSHIP_DATABASE_URL")),
            host: environment.optional("KINSHIP_HOST") ?? "127.0.0.1",
            port: try environment.integer(service.portVariable, default: service.defaultPort, range: 0...65535),
            internalToken: token,
            masterKeys: try MasterKeyring.load(from: environment),
            logLevel: try environment.choice("KINSHIP_LOG_LEVEL", default: Logger.Level.info),
            logFormat: try environment.choice("KINSHIP_LOG_FORMAT", default: LogFormat.json)
        )
        configuration.idleTimeout = .seconds(try environment.integer("KINSHIP_HTTP_IDLE_TIMEOUT_SECONDS", default: 60, range: 1...3600))
        return configuration
    }
}
