import Foundation
import Hummingbird
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import Logging
import Metrics
import Prometheus

/// The body of every service executable: read configuration (exit 78 naming the bad variable),
/// set up logs and metrics, build the application and run it until SIGTERM or SIGINT.
public enum ServiceMain {
    public static func run<App: ApplicationProtocol>(
        _ service: ServiceName,
        build: (ServiceRuntime) async throws -> App
    ) async {
        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration.load(service)
        } catch {
            FileHandle.standardError.write(Data("kinship \(service.rawValue): \(error)\n".utf8))
            exit(78)  // EX_CONFIG: systemd will not restart-loop on a configuration error (RestartPreventExitStatus).
        }
        Observability.bootstrapLogging(level: configuration.logLevel, format: configuration.logFormat)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let runtime = ServiceRuntime(configuration: configuration, registry: registry)
        do {
            let app = try await build(runtime)
            try await app.runService()
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("kinship \(service.rawValue): \(error)\n".utf8))
            exit(78)
        } catch {
            runtime.logger.critical("service stopped with an error", metadata: ["error": "\(String(reflecting: error))"])
            exit(1)
        }
    }
}
