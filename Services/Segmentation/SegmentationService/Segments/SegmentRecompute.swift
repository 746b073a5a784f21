import Foundation
import KinshipCore
import Logging
import Metrics
import PostgresNIO

/// A segment's membership decided again for everyone in one query (`SegmentSQL`), after its definition
/// changed and as the periodic safety net; entries and exits are written as the real-time path writes them.
/// It holds the workspace's segmentation lock alone while it runs, so real-time evaluations wait for it.
public enum SegmentRecompute {
    public struct Outcome: Sendable, Equatable {
        public var members = 0
        public var entered = 0
        public var exited = 0
    }

    /// Brings `segment`'s memberships to what its definition says at `now`, in the caller's transaction.
    @discardableResult
    public static func run(_ segment: StoredSegment, in workspaceID: UUID, now: Date, on connection: PostgresConnection, logger: Logger) async throws -> Outcome {
        let started = ContinuousClock.now
        // Alone in the workspace until the transaction ends: no profile evaluation commits between the
        // query below and the entries and exits written from it.
        try await connection.query(
            "SELECT pg_advisory_xact_lock(hashtextextended(\(ProfileEvaluator.workspaceLock(workspaceID)), 0))", logger: logger
        )
        let query = SegmentSQL.members(of: segment.definition, workspaceID: workspaceID, requiredConsent: segment.requiredConsent, now: now)
        let members = Set(try await connection.query(query, logger: logger).decode(UUID.self).collectAll())
        let current = try await Memberships.members(of: segment.id, in: workspaceID, on: connection, logger: logger)
        let entries = members.subtracting(current).map { Memberships.Entry(segmentID: segment.id, version: segment.version, profileID: $0) }
        let exits = current.subtracting(members).map { Memberships.Member(segmentID: segment.id, profileID: $0) }
        let (entered, exited) = try await Memberships.apply(entries: entries, exits: exits, at: now, in: workspaceID, on: connection, logger: logger)
        Timer(label: "kinship_segmentation_recompute_seconds").record(duration: ContinuousClock.now - started)
        return Outcome(members: members.count, entered: entered, exited: exited)
    }

    /// Decides a new or changed definition's members. When time alone can change its answers, every profile's
    /// next check is brought forward to now as well: each was worked out without this definition, so the
    /// due-time loop evaluates every profile once with it and stores when time next changes its answer.
    public static func runNewDefinition(_ segment: StoredSegment, in workspaceID: UUID, now: Date, on connection: PostgresConnection, logger: Logger) async throws -> Outcome {
        let outcome = try await run(segment, in: workspaceID, now: now, on: connection, logger: logger)
        if segment.dependencies.readsTime {
            try await connection.query(
                """
                UPDATE segment_profiles SET next_check = \(now)
                WHERE workspace_id = \(workspaceID) AND (next_check IS NULL OR next_check > \(now))
                """,
                logger: logger
            )
        }
        return outcome
    }

    /// Closes every membership of a deleted segment.
    static func empty(_ segment: StoredSegment, in workspaceID: UUID, now: Date, on connection: PostgresConnection, logger: Logger) async throws {
        let current = try await Memberships.members(of: segment.id, in: workspaceID, on: connection, logger: logger)
        let exits = current.map { Memberships.Member(segmentID: segment.id, profileID: $0) }
        try await Memberships.apply(entries: [], exits: exits, at: now, in: workspaceID, on: connection, logger: logger)
    }
}
