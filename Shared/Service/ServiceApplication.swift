import Hummingbird
import KinshipCore
import KinshipDatabase
import Logging
import NIOCore
import PostgresNIO
import Prometheus
import ServiceLifecycle

/// What every service's `buildApplication` starts from: the database pool, a metrics registry, a logger,
/// and a router that already has the error middleware and the operational routes.
public struct ServiceRuntime: Sendable {
    public let configuration: ServiceConfiguration
    public let database: PostgresClient
    /// Sends the wake-ups of the pool's committed transactions; runs beside it.
    public let notifications: NotificationSender
    public let registry: PrometheusCollectorRegistry
    public let logger: Logger

    public init(configuration: ServiceConfiguration, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        var logger = Logger(label: "kinship.\(configuration.service.rawValue)")
        logger.logLevel = configuration.logLevel
        self.configuration = configuration
        self.logger = logger
        self.registry = registry
        self.database = PostgresClient(configuration: configuration.database.clientConfiguration, backgroundLogger: logger)
        self.notifications = NotificationSender(client: database, logger: logger)
    }

    /// A router with the shared middleware and `/healthz`, `/readyz`, `/metrics`.
    public func makeRouter() -> Router<KinshipRequestContext> {
        let router = Router(context: KinshipRequestContext.self)
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: MetricsMiddleware())
        OperationalRoutes(database: database, registry: registry).add(to: router)
        return router
    }

    /// The application: the router's server plus the database pool, its notification sender and any
    /// background services (stopped in reverse order, so the sender flushes before the pool closes).
    public func makeApplication(router: Router<KinshipRequestContext>, services: [any Service] = []) -> some ApplicationProtocol {
        Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: TimeAmount(configuration.idleTimeout))),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "kinship-\(configuration.service.rawValue)"
            ),
            services: [database, notifications] + services,
            logger: logger
        )
    }
}
