import Foundation
import KinshipDatabase
import Logging
import PostgresNIO
import ServiceLifecycle

/// Scores every workspace's profiles by RFM (`RFMScoring`) at start and then every `interval`, so scores
/// follow orders and the passing of time. A failed pass is logged and the next one starts over; a pass is
/// whole per workspace, so a failure leaves each workspace with either its old or its new scores.
public struct RFMRefresher: Service {
    let scoring: RFMScoring
    let logger: Logger
    let interval: Duration

    public init(database: PostgresClient, logger: Logger, interval: Duration = .seconds(600)) {
        self.scoring = RFMScoring(database: database, logger: logger)
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        await runPeriodically(every: interval, logger: logger, failure: "RFM scoring failed; will retry") {
            try await refreshOnce()
        }
    }

    /// One pass over every workspace; returns how many profiles' scores changed in all.
    @discardableResult
    public func refreshOnce() async throws -> Int {
        let started = ContinuousClock.now
        let workspaces = try await scoring.workspaces()
        var changed = 0
        for workspace in workspaces {
            let count = try await scoring.score(workspace: workspace)
            if count > 0 {
                logger.debug("RFM scores changed", metadata: ["workspace": "\(workspace)", "profiles": "\(count)"])
            }
            changed += count
        }
        let elapsed = ContinuousClock.now - started
        let milliseconds = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        logger.info("RFM scoring done", metadata: [
            "workspaces": "\(workspaces.count)", "profiles_changed": "\(changed)", "duration_ms": "\(milliseconds)",
        ])
        return changed
    }
}
