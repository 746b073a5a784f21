import Foundation
import KinshipDatabase
import Logging
import PostgresNIO
import ServiceLifecycle

/// Recomputes every segment of every workspace in full on a schedule (not at start: a restart must not
/// stall real-time evaluation), the safety net under the real-time path. Each segment is its own
/// transaction, so real-time evaluation waits for one segment at a time.
struct SafetyNetRecompute: Service {
    let database: PostgresClient
    let logger: Logger
    let interval: Duration

    func run() async throws {
        // The first pass waits an interval; a shutdown ends the wait.
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        guard !Task.isCancelled, !Task.isShuttingDownGracefully else { return }
        await runPeriodically(every: interval, logger: logger, failure: "segment safety-net recompute failed") {
            try await recomputeAll()
        }
    }

    func recomputeAll(now: @Sendable () -> Date = Date.init) async throws {
        let segments = try await database.query("SELECT workspace_id, id FROM segments WHERE deleted_at IS NULL", logger: logger)
            .decode((UUID, UUID).self).collectAll()
        var changed = 0
        for (workspaceID, id) in segments {
            guard !Task.isCancelled else { return }
            changed += try await database.transaction(logger: logger) { connection in
                // Deleted since it was listed: nothing to recompute.
                guard let segment = try? await SegmentStore.find(id, in: workspaceID, on: connection, logger: logger) else { return 0 }
                let outcome = try await SegmentRecompute.run(segment, in: workspaceID, now: now(), on: connection, logger: logger)
                return outcome.entered + outcome.exited
            }
        }
        logger.info("segments recomputed", metadata: ["segments": "\(segments.count)", "changed": "\(changed)"])
    }
}
