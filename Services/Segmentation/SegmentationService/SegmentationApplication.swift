import Hummingbird
import KinshipService

/// The segmentation service: keeps people in the segments marketing acts on.
public enum SegmentationApplication {
    public static func build(_ runtime: ServiceRuntime) -> some ApplicationProtocol {
        let router = runtime.makeRouter()
        return runtime.makeApplication(router: router, services: [])
    }
}
