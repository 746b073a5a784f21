import Hummingbird
import Shared

/// The ingestion service: the front door every customer touchpoint sends data through.
public enum IngestionApplication {
    public static func build(_ runtime: ServiceRuntime) -> some ApplicationProtocol {
        let router = runtime.makeRouter()
        return runtime.makeApplication(router: router, services: [PartitionMaintenance(database: runtime.database, logger: runtime.logger)])
    }
}
