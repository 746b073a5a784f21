import Hummingbird
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import ServiceLifecycle

/// The ingestion service: the front door every customer touchpoint sends data through.
public enum IngestionApplication {
    public static func build(_ runtime: ServiceRuntime, configuration: IngestionConfiguration = IngestionConfiguration()) throws -> some ApplicationProtocol {
        let router = runtime.makeRouter()
        let queue = CommitQueue(maximumBytes: configuration.queueBytes, deadline: configuration.writeDeadline)
        let collector = Collector(
            directory: SourceDirectory(
                database: runtime.database, keyring: runtime.configuration.masterKeys, logger: runtime.logger,
                lifetime: .seconds(configuration.writeKeyCacheSeconds),
                failuresPerMinute: configuration.authenticationFailuresPerMinute
            ),
            privacy: WorkspacePrivacyCache(database: runtime.database, logger: runtime.logger),
            queue: queue,
            rateLimiter: RateLimiter(perSecond: Double(configuration.rateLimitPerSource)),
            importLimiter: RateLimiter(perSecond: Double(configuration.importRowsPerSecond)),
            configuration: configuration
        )
        router.add(middleware: CORSMiddleware(
            allowOrigin: .all,
            allowHeaders: [.contentType, .authorization, .contentEncoding],
            allowMethods: [.get, .post, .options],
            exposedHeaders: ["Retry-After"],
            maxAge: .seconds(86400)
        ))
        TrackingRoutes(collector: collector).add(to: router)
        PixelRoute(collector: collector).add(to: router)
        ImportRoute(collector: collector).add(to: router)
        TrackerScriptRoute(script: try TrackerScript.load()).add(to: router)

        let writer = EventWriter(
            queue: queue, database: runtime.database, logger: runtime.logger,
            writers: configuration.writers, dedupWindowDays: configuration.dedupWindowDays
        )
        // Background upkeep of the shared tables; running it in every replica is harmless (idempotent).
        let services: [any Service] = [
            writer,
            PartitionMaintenance(database: runtime.database, logger: runtime.logger),
            OutboxPruner(database: runtime.database, logger: runtime.logger),
            MessageIDPruner(database: runtime.database, logger: runtime.logger, windowDays: configuration.dedupWindowDays),
        ]
        return runtime.makeApplication(router: router, services: services)
    }
}
