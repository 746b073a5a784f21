import Foundation
import KinshipCore

/// The segmentation service's own settings (docs/configuration.md).
public struct SegmentationConfiguration: Sendable {
    /// How long after a `Product Added` or `Checkout Started` an order must come for the cart not to be abandoned.
    public var abandonmentWindow: TimeInterval = 24 * 3600
    /// How often the due-time loop looks for profiles whose answers time has changed.
    public var dueInterval: Duration = .seconds(2)
    /// How often every segment is recomputed in full, the safety net under the real-time path.
    public var recomputeInterval: Duration = .seconds(6 * 3600)
    /// How often every workspace's RFM scores are computed again.
    public var rfmInterval: Duration = .seconds(600)

    public init() {}

    public static func load(from environment: Environment = Environment()) throws -> SegmentationConfiguration {
        var configuration = SegmentationConfiguration()
        configuration.abandonmentWindow = TimeInterval(try environment.integer("KINSHIP_SEGMENTATION_CART_WINDOW_HOURS", default: 24, range: 1...720)) * 3600
        configuration.dueInterval = .seconds(try environment.integer("KINSHIP_SEGMENTATION_DUE_INTERVAL_SECONDS", default: 2, range: 1...300))
        configuration.recomputeInterval = .seconds(
            try environment.integer("KINSHIP_SEGMENTATION_RECOMPUTE_INTERVAL_MINUTES", default: 360, range: 1...10_080) * 60
        )
        configuration.rfmInterval = .seconds(try environment.integer("KINSHIP_SEGMENTATION_RFM_INTERVAL_SECONDS", default: 600, range: 10...86_400))
        return configuration
    }
}
