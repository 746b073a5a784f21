import Foundation
import KinshipCore
import KinshipDatabase
import PostgresNIO
import SegmentationService

/// The full recompute of the 20 segments and the hand-written reference.
struct SegmentsMeasure: Sendable {
    struct Segment: Sendable {
        let name: String
        let members: Int
        let referenceMembers: Int
        let recompute: Duration
        let reference: Duration
    }

    let stored: [StoredSegment]
    let segments: [Segment]
    /// The reference was run before the recompute and after it; each figure is the mean of the two.
    let recompute: Duration
    let reference: Duration

    var ratio: Double { reference > .zero ? recompute.inMilliseconds / reference.inMilliseconds : 0 }
    var slowest: Segment? { segments.max { $0.recompute < $1.recompute } }
}

/// Previews' latency, cycling through the segments.
struct PreviewMeasure: Sendable {
    let latenciesMs: [Double]
    let sample: Int

    var p50: Double { percentile(0.5, of: latenciesMs.sorted()) }
    var p99: Double { percentile(0.99, of: latenciesMs.sorted()) }
    var max: Double { latenciesMs.max() ?? 0 }
}

extension SegmentationBenchmark {
    /// Creates the 20 segments with `SegmentStore.create`, then times `SegmentRecompute.run` of each in its
    /// own transaction (every member an entry, written with its outbox message), and, before and after,
    /// the same conditions written by hand in SQL, counting members.
    func measureSegments(_ workspace: DemoShopWorkspace, now: Date, _ database: PostgresClient) async throws -> SegmentsMeasure {
        let w = workspace.workspaceID
        let logger = self.logger
        var stored: [StoredSegment] = []
        for segment in BenchSegment.all {
            let draft = SegmentDraft(name: segment.name, definition: try JSONValue.parse(segment.definition), requiredConsent: segment.requiredConsent)
            stored.append(try await database.transaction(logger: logger) { connection in
                try await SegmentStore.create(draft, in: w, on: connection, logger: logger)
            })
        }
        progress("reference: the 20 conditions written by hand in SQL, counting members")
        let before = try await countByHand(w, now: now, database)
        progress("recompute: SegmentRecompute.run of each of the 20 segments, each in its own transaction")
        var recomputes: [(Int, Duration)] = []
        for segment in stored {
            let start = ContinuousClock.now
            let outcome = try await database.transaction(logger: logger) { connection in
                try await SegmentRecompute.run(segment, in: w, now: now, on: connection, logger: logger)
            }
            let took = ContinuousClock.now - start
            recomputes.append((outcome.members, took))
            progress(String(format: "  %@: %d members in %.0f ms", segment.name, outcome.members, took.inMilliseconds))
        }
        progress("reference again")
        let after = try await countByHand(w, now: now, database)
        let segments = BenchSegment.all.indices.map { index in
            SegmentsMeasure.Segment(
                name: BenchSegment.all[index].name, members: recomputes[index].0, referenceMembers: before[index].0,
                recompute: recomputes[index].1, reference: (before[index].1 + after[index].1) / 2
            )
        }
        for (index, segment) in segments.enumerated() where after[index].0 != segment.referenceMembers {
            throw BenchFailure("the reference counted \(segment.referenceMembers) then \(after[index].0) members of \(segment.name)")
        }
        return SegmentsMeasure(
            stored: stored, segments: segments,
            recompute: recomputes.reduce(Duration.zero) { $0 + $1.1 },
            reference: segments.reduce(Duration.zero) { $0 + $1.reference }
        )
    }

    /// Each segment's members counted by its hand-written condition, one query after another, and how long each took.
    private func countByHand(_ workspaceID: UUID, now: Date, _ database: PostgresClient) async throws -> [(Int, Duration)] {
        var counts: [(Int, Duration)] = []
        for segment in BenchSegment.all {
            // $1 is the workspace and $2 the moment, as the conditions read them.
            let query: PostgresQuery = """
                SELECT count(*)::int FROM segment_profiles sp
                JOIN profiles p ON p.workspace_id = sp.workspace_id AND p.id = sp.profile_id AND p.merged_into IS NULL
                WHERE sp.workspace_id = \(workspaceID) AND \(now)::timestamptz IS NOT NULL AND (\(unescaped: segment.reference))
                """
            let start = ContinuousClock.now
            let count = try await database.query(query, logger: logger).decode(Int.self).collectAll().first ?? 0
            counts.append((count, ContinuousClock.now - start))
        }
        return counts
    }

    /// `SegmentPreviewer.preview` (size and a sample of members), cycling through the 20 definitions, one after another.
    func measurePreviews(_ workspace: DemoShopWorkspace, _ segments: [StoredSegment], now: Date, _ database: PostgresClient) async throws -> PreviewMeasure {
        let (count, sample, logger, w) = (configuration.previews, configuration.previewSample, self.logger, workspace.workspaceID)
        progress("preview: \(count) previews cycling through the \(segments.count) segments, sample \(sample)")
        var latencies: [Double] = []
        for index in 0..<count {
            let segment = segments[index % segments.count]
            let start = ContinuousClock.now
            _ = try await database.transaction(logger: logger) { connection in
                try await SegmentPreviewer.preview(
                    segment.definition, requiredConsent: segment.requiredConsent, sampleSize: sample, in: w, now: now, on: connection, logger: logger
                )
            }
            latencies.append((ContinuousClock.now - start).inMilliseconds)
        }
        let measure = PreviewMeasure(latenciesMs: latencies, sample: sample)
        progress(String(format: "  p50 %.0f ms, p99 %.0f ms", measure.p50, measure.p99))
        return measure
    }
}
