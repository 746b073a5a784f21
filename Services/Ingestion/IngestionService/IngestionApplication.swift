import Hummingbird
import ServiceLifecycle
import Shared

/// The ingestion service: the front door every customer touchpoint sends data through.
public enum IngestionApplication {
    public static func build(_ runtime: ServiceRuntime) -> some ApplicationProtocol {
        let router = runtime.makeRouter()
        // Background upkeep of the shared tables; running it in every replica is harmless (idempotent).
        let maintenance: [any Service] = [
            PartitionMaintenance(database: runtime.database, logger: runtime.logger),
            OutboxPruner(database: runtime.database, logger: runtime.logger),
        ]
        return runtime.makeApplication(router: router, services: maintenance)
    }
}
