import Foundation
import PostgresNIO

/// A parsed `postgres://user:password@host:port/database?sslmode=…` URL.
public struct DatabaseURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var requireTLS: Bool

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
        self.requireTLS = sslmode != "disable" && sslmode != "prefer"
    }

    /// The same server, another database (tests create throwaway databases this way).
    public func with(database: String) -> DatabaseURL {
        var copy = self
        copy.database = database
        return copy
    }

    public var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host,
            port: port,
            username: username,
            password: password,
            database: database,
            tls: requireTLS ? .require(.makeClientConfiguration()) : .disable
        )
        configuration.options.maximumConnections = 20
        return configuration
    }
}
