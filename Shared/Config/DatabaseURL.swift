import Foundation
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

    /// The most connections one process's pool opens.
    public static let maximumConnections = 20

    /// The pool's configuration, keeping `minimumConnections` open even when idle.
    public func clientConfiguration(minimumConnections: Int = 0) -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host,
            port: port,
            username: username,
            password: password,
            database: database,
            tls: tls
        )
        configuration.options.maximumConnections = Self.maximumConnections
        configuration.options.minimumConnections = minimumConnections
        // Idle connections are not probed: PostgresNIO starts a keep-alive timer task for every connection
        // that goes idle and cancels it at the next lease, a measurable share of a single request's CPU
        // (ingestion's single-event p99 rose with it). A connection Postgres closes is noticed by its socket;
        // one lost silently fails its next query (ingestion answers 503, which clients retry; consumers
        // retry the batch).
        configuration.options.keepAliveBehavior = nil
        return configuration
    }
}
