import Foundation
import IdentityService
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import PostgresNIO
import SegmentationService
import ServiceLifecycle

extension SegmentationBenchmark {
    /// Runs, in this process, identity's consumer of `events` and segmentation's consumers of `resolutions`
    /// and `profiles` while `body` runs. Each service has a pool of its own, as its process would, and the
    /// options its process would take (production's, or `KINSHIP_IDENTITY_CONSUMER_*` and
    /// `KINSHIP_SEGMENTATION_CONSUMER_*`).
    func withConsumers<T: Sendable>(_ workspace: DemoShopWorkspace, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let (logger, keyring) = (self.logger, workspace.keyring)
        let identityOptions = try OutboxConsumerOptions.load(.identity)
        let segmentationOptions = try OutboxConsumerOptions.load(.segmentation)
        return try await configuration.database.withClient(logger: poolLogger) { identityPool in
            try await configuration.database.withClient(logger: poolLogger) { segmentationPool in
                let resolver = EventResolver(directory: WorkspaceKeyCache(database: identityPool, keyring: keyring, logger: logger), logger: logger)
                let evaluator = ProfileEvaluator(directory: WorkspaceKeyCache(database: segmentationPool, keyring: keyring, logger: logger), logger: logger)
                let consumers = [resolver.consumer(database: identityPool, options: identityOptions)]
                    + ProfileChangeConsumer(evaluator: evaluator, logger: logger).consumers(database: segmentationPool, options: segmentationOptions)
                let services = consumers.map { $0 as any Service }
                return try await runningServices(services, logger: logger, until: body)
            }
        }
    }

    /// Runs segmentation's due-time loop (`DueProfiles`, at the interval the service would take:
    /// `KINSHIP_SEGMENTATION_DUE_INTERVAL_SECONDS`, 2 s by default) in this process, on a pool of its own,
    /// while `body` runs.
    func withDueLoop<T: Sendable>(_ workspace: DemoShopWorkspace, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let (logger, keyring) = (self.logger, workspace.keyring)
        let interval = try SegmentationConfiguration.load().dueInterval
        return try await configuration.database.withClient(logger: poolLogger) { pool in
            let evaluator = ProfileEvaluator(directory: WorkspaceKeyCache(database: pool, keyring: keyring, logger: logger), logger: logger)
            let loop = DueProfiles(evaluator: evaluator, database: pool, logger: logger, interval: interval)
            return try await runningServices([loop], logger: logger, until: body)
        }
    }
}
