import Hummingbird
import KinshipService

/// The reporting service: the public HTTP API that answers questions about people and segments.
public enum ReportingApplication {
    public static func build(_ runtime: ServiceRuntime) -> some ApplicationProtocol {
        let router = runtime.makeRouter()
        return runtime.makeApplication(router: router, services: [])
    }
}
