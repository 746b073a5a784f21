import Hummingbird
import KinshipDatabase
import KinshipOutbox
import KinshipService
import ServiceLifecycle

/// The identity service: keeps one profile per real person from the identifiers events carry.
public enum IdentityApplication {
    public static func build(_ runtime: ServiceRuntime, consumerOptions: OutboxConsumerOptions = OutboxConsumerOptions()) -> some ApplicationProtocol {
        let router = runtime.makeRouter()
        let directory = WorkspaceKeyCache(database: runtime.database, keyring: runtime.configuration.masterKeys, logger: runtime.logger)
        ProfileRoutes(directory: directory, database: runtime.database, internalToken: runtime.configuration.internalToken).add(to: router)
        RuleRoutes(directory: directory, database: runtime.database, internalToken: runtime.configuration.internalToken).add(to: router)
        let resolver = EventResolver(directory: directory, logger: runtime.logger)
        let privacy = PrivacyStepConsumer(directory: directory, logger: runtime.logger)
        return runtime.makeApplication(router: router, services: [
            resolver.consumer(database: runtime.database, options: consumerOptions),
            privacy.consumer(database: runtime.database, options: consumerOptions),
        ])
    }
}
