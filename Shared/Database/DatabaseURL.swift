import Foundation
import KinshipCore
import KinshipPrivacy
import PostgresNIO

/// A parsed `postgres://user:password@host:port/database?sslmode=…` URL.
public struct DatabaseURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    /// libpq's `sslmode`: `disable`, `prefer`, `require` (encrypted, certificate not verified) or `verify-full`.
    public var sslMode: String
    public var requireTLS: Bool { sslMode == "require" || sslMode == "verify-full" }

    public init(parsing text: String, variable: String = "KINSHIP_DATABASE_URL") throws {
        func invalid(_ why: String) -> ConfigurationError {
            ConfigurationError(variable: variable, problem: "is not a valid postgres:// URL (\(why))")
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme else {
            throw invalid("cannot parse")
        }
        guard scheme == "postgres" || scheme == "postgresql" else { throw invalid("scheme must be postgres") }
        guard let host = components.host, !host.isEmpty else { throw invalid("no host") }
        guard let username = components.user, !username.isEmpty else { throw invalid("no user name") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw invalid("no database name") }
        let sslmode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "disable"
        guard ["disable", "prefer", "require", "verify-full"].contains(sslmode) else {
            throw invalid("sslmode must be disable, prefer, require or verify-full")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = username.removingPercentEncoding ?? username
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database
        self.sslMode = sslmode
    }

    /// The same server, another database (tests create throwaway databases this way).
    public func with(database: String) -> DatabaseURL {
        var copy = self
        copy.database = database
        return copy
    }

    private var tls: PostgresClient.Configuration.TLS {
        switch sslMode {
        case "disable":
            return .disable
        case "prefer":
            return .prefer(.makeClientConfiguration())
        case "require":
            var unverified = TLSConfiguration.makeClientConfiguration()
            unverified.certificateVerification = .none
            return .require(unverified)
        default:
            return .require(.makeClientConfiguration())
        }
    }

    public var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host,
            port: port,
            username: username,
            password: password,
            database: database,
            tls: tls
        )
        configuration.options.maximumConnections = 20
        return configuration
    }
}
