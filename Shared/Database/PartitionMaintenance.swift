import KinshipCore
import Logging
import PostgresNIO
import ServiceLifecycle

/// Keeps the monthly partitions of `events` created a few months ahead (the ingestion service runs it).
public struct PartitionMaintenance: Service {
    let database: PostgresClient
    let logger: Logger
    let interval: Duration

    public init(database: PostgresClient, logger: Logger, interval: Duration = .seconds(6 * 3600)) {
        self.database = database
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        await runPeriodically(every: interval, logger: logger, failure: "partition maintenance failed; will retry") {
            let created = try await database.query("SELECT kinship_ensure_event_partitions()", logger: logger)
                .decode(Int.self).first(where: { _ in true }) ?? 0
            if created > 0 { logger.info("created event partitions", metadata: ["count": "\(created)"]) }
        }
    }
}
