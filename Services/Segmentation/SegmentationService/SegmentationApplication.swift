import Hummingbird
import KinshipDatabase
import KinshipOutbox
import KinshipService

/// The segmentation service: keeps computed traits, consent facts and segment memberships from what
/// identity announces, and answers for segments over internal HTTP.
public enum SegmentationApplication {
    public static func build(
        _ runtime: ServiceRuntime, configuration: SegmentationConfiguration = SegmentationConfiguration(),
        consumerOptions: OutboxConsumerOptions = OutboxConsumerOptions()
    ) -> some ApplicationProtocol {
        let router = runtime.makeRouter()
        let directory = WorkspaceKeyCache(database: runtime.database, keyring: runtime.configuration.masterKeys, logger: runtime.logger)
        let internalToken = runtime.configuration.internalToken
        SegmentRoutes(database: runtime.database, internalToken: internalToken).add(to: router)
        ProfileSegmentRoutes(database: runtime.database, internalToken: internalToken).add(to: router)
        let evaluator = ProfileEvaluator(directory: directory, logger: runtime.logger, abandonmentWindow: configuration.abandonmentWindow)
        let consumers = ProfileChangeConsumer(evaluator: evaluator, logger: runtime.logger).consumers(database: runtime.database, options: consumerOptions)
        let due = DueProfiles(evaluator: evaluator, database: runtime.database, logger: runtime.logger, interval: configuration.dueInterval)
        let safetyNet = SafetyNetRecompute(database: runtime.database, logger: runtime.logger, interval: configuration.recomputeInterval)
        let rfm = RFMRefresher(database: runtime.database, logger: runtime.logger, interval: configuration.rfmInterval)
        let privacy = PrivacyStepConsumer(logger: runtime.logger).consumer(database: runtime.database, options: consumerOptions)
        return runtime.makeApplication(router: router, services: consumers + [privacy, due, safetyNet, rfm])
    }
}
