import Hummingbird
import Shared

/// The identity service: keeps one profile per real person from the identifiers events carry.
public enum IdentityApplication {
    public static func build(_ runtime: ServiceRuntime) -> some ApplicationProtocol {
        let router = runtime.makeRouter()
        return runtime.makeApplication(router: router, services: [])
    }
}
