import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy

/// The ingestion benchmark's figures, rendered as a table for people and one JSON line for tools.
struct IngestionBenchResult: Sendable {
    static let batchGoal = 20_000.0
    static let ratioGoal = 0.5
    static let trackP99Goal = 10.0
    static let residentGoalMB = 200.0

    /// One round of the batch measure: its load and the reference `COPY`s on both sides of it (none
    /// before the first without a warm-up; the one after a round is the one before the next).
    struct Round: Sendable {
        let load: BatchLoad
        let usage: MeasureUsage
        let copyBefore: CopyMeasure?
        let copyAfter: CopyMeasure

        /// The load's rate against the mean of the references on its two sides.
        var ratio: Double {
            let rates = [copyBefore, copyAfter].compactMap { $0?.rate }
            let reference = rates.reduce(0, +) / Double(rates.count)
            return reference > 0 ? load.rate / reference : 0
        }
    }

    /// What each measure saw.
    struct Measures: Sendable {
        let rounds: [Round]
        let batchCommits: GroupCommits
        let batchStored: IngestionBenchmark.StoredRows
        let track: TrackLoad
        let trackUsage: MeasureUsage
        let trackCommits: GroupCommits
        let trackStored: IngestionBenchmark.StoredRows

        /// The rounds' loads as one.
        var batch: BatchLoad { BatchLoad(sequence: rounds.map(\.load)) }
        var batchUsage: MeasureUsage { MeasureUsage(sequence: rounds.map(\.usage)) }
        /// Every reference `COPY`, in order.
        var copies: [CopyMeasure] { ((rounds.first?.copyBefore).map { [$0] } ?? []) + rounds.map(\.copyAfter) }
    }

    let configuration: IngestionBenchConfiguration
    let measures: Measures
    /// The service's exit status after SIGTERM; nil when it had to be killed.
    let serviceExitStatus: Int32?

    /// The rounds' events at full concurrency over that time (`BatchLoad.steadyStored`).
    var batchRate: Double { measures.batch.rate }
    /// The reference rate: every `COPY`'s rows over their time. They are spread through the batch measure,
    /// between its rounds, as the machine's own speed drifts by a quarter within minutes.
    var copyRate: Double {
        let copies = measures.copies
        return perSecond(copies.reduce(0) { $0 + $1.rows }, copies.reduce(.zero) { $0 + $1.duration })
    }
    var ratio: Double { copyRate > 0 ? batchRate / copyRate : 0 }
    var copyRateRange: ClosedRange<Double> {
        let rates = measures.copies.map(\.rate)
        return (rates.min() ?? 0)...(rates.max() ?? 0)
    }
    var roundRatioRange: ClosedRange<Double> {
        let ratios = measures.rounds.map(\.ratio)
        return (ratios.min() ?? 0)...(ratios.max() ?? 0)
    }
    var batchResidentMB: Double { Double(measures.batchUsage.peakResidentKB) / 1024 }
    var trackResidentMB: Double { Double(measures.trackUsage.peakResidentKB) / 1024 }
    var residentMB: Double { max(batchResidentMB, trackResidentMB) }
    /// The service's CPU time per stored event in the batch load, and per answered request in the track load.
    var batchMicrosecondsPerEvent: Double {
        let usage = measures.batchUsage
        return measures.batch.stored > 0 ? usage.cpu.service * usage.seconds / Double(measures.batch.stored) * 1e6 : 0
    }
    var trackMicrosecondsPerRequest: Double {
        measures.track.answeredRate > 0 ? measures.trackUsage.cpu.service / measures.track.answeredRate * 1e6 : 0
    }

    /// What makes these figures untrustworthy: a service that refuses, loses or repeats events, or that
    /// does not stop cleanly, is not measured fairly.
    var problems: [String] {
        let m = measures
        var problems: [String] = []
        let sent = configuration.events
        if m.batch.failedRequests > 0 {
            problems.append("batch: \(grouped(m.batch.failedRequests)) of \(grouped(m.batch.requests)) requests failed, e.g. \(m.batch.failures.joined(separator: " | "))")
        }
        if m.batch.stored != sent {
            problems.append("batch: answers said \(grouped(m.batch.stored)) of \(grouped(sent)) events stored (\(grouped(m.batch.duplicates)) duplicates)")
        }
        if m.batchStored.events != m.batch.stored || m.batchStored.outbox != m.batch.stored {
            problems.append("batch: \(grouped(m.batch.stored)) events acknowledged as stored, but the database holds \(grouped(m.batchStored.events)) of them and \(grouped(m.batchStored.outbox)) outbox references")
        }
        if m.track.failedRequests > 0 {
            problems.append("track: \(grouped(m.track.failedRequests)) of \(grouped(m.track.requests)) requests failed, e.g. \(m.track.failures.joined(separator: " | "))")
        }
        if m.trackStored.events != m.track.stored || m.trackStored.outbox != m.track.stored {
            problems.append("track: \(grouped(m.track.stored)) events acknowledged as stored, but the database holds \(grouped(m.trackStored.events)) of them and \(grouped(m.trackStored.outbox)) outbox references")
        }
        switch serviceExitStatus {
        case nil: problems.append("ingestion was still running 15 s after SIGTERM")
        case 0?: break
        case let status?: problems.append("ingestion exited with status \(status) after SIGTERM")
        }
        return problems
    }

    var table: String {
        let c = configuration
        let m = measures
        let rateText = "\(grouped(c.latencyRate)) req/s"
        var lines = [
            "Ingestion benchmark: release `ingestion` loaded from a second process over loopback, durable commits, "
                + "\(ProcessInfo.processInfo.activeProcessorCount) cores shared by both and Postgres",
            "batch: \(grouped(c.events)) track events of \(grouped(c.eventBytes)) B JSON, \(c.batchSize) per POST /v1/batch, "
                + "\(c.concurrency) requests in flight; track: single POST /v1/track at \(rateText) for \(c.latencySeconds) s",
            "consent: \(grouped(c.consentRefusals)) stored refusals\(c.consentRefusals > 0 ? " and 1 suppressed identifier" : "") in force (KINSHIP_BENCH_CONSENT_REFUSALS)",
            "",
        ]
        lines += TextTable.figures([
            ["POST /v1/batch", "\(grouped(batchRate)) events/s", "≥ \(grouped(Self.batchGoal)) events/s", batchRate >= Self.batchGoal ? "met" : "missed"],
            ["reference: COPY of the same rows", "\(grouped(copyRate)) rows/s", "", ""],
            ["batch / COPY", String(format: "%.2f", ratio), String(format: "≥ %.2f", Self.ratioGoal), ratio >= Self.ratioGoal ? "met" : "missed"],
            ["batch / COPY, rounds apart", String(format: "%.2f–%.2f", roundRatioRange.lowerBound, roundRatioRange.upperBound), "", ""],
            ["POST /v1/track at \(rateText), p50", String(format: "%.1f ms", m.track.p50), "", ""],
            ["POST /v1/track at \(rateText), p99", String(format: "%.1f ms", m.track.p99), "< \(grouped(Self.trackP99Goal)) ms",
             m.track.p99 < Self.trackP99Goal ? "met" : "missed"],
            ["POST /v1/track at \(rateText), max", String(format: "%.1f ms", m.track.max), "", ""],
            ["service RSS, peak of both loads", String(format: "%.0f MB", residentMB), "< \(grouped(Self.residentGoalMB)) MB",
             residentMB < Self.residentGoalMB ? "met" : "missed"],
        ]).lines
        lines += [
            "",
            "batch: \(grouped(m.batch.requests)) requests in \(String(format: "%.1f", m.batch.duration.inMilliseconds / 1000)) s "
                + "(\(grouped(perSecond(m.batch.stored, m.batch.duration))) events/s; "
                + (m.batch.steadyDuration > .zero
                    ? "at full concurrency \(grouped(m.batch.steadyStored)) events in \(String(format: "%.1f", m.batch.steadyDuration.inMilliseconds / 1000)) s), "
                    : "rounds too short to have a part at full concurrency, so their whole time counts), ")
                + "\(grouped(m.batch.failedRequests)) failed; \(grouped(m.batchStored.events)) events and \(grouped(m.batchStored.outbox)) outbox references stored; "
                + String(format: "group commit: %.1f requests per transaction, %.0f transactions/s", m.batchCommits.requestsPerTransaction,
                         perSecond(m.batchCommits.transactions, m.batch.duration)),
            "batch: CPU in cores (\(m.batchUsage.cpu.summary)); the service's CPU per event \(grouped(batchMicrosecondsPerEvent)) µs; "
                + "service RSS peak \(String(format: "%.0f", batchResidentMB)) MB",
            "COPY: \(m.copies.count) of them, \(grouped(m.copies.reduce(0) { $0 + $1.rows })) rows, \(grouped(m.copies.reduce(0) { $0 + $1.bytes } / 1_000_000)) MB of COPY text, "
                + "\(c.copyConnections) connection(s), one COPY and one transaction each, into a copy of events (no dedup, no outbox); "
                + (m.rounds.first?.copyBefore == nil ? "" : "the first of the warm-up's rows, ")
                + "each other of the rows of the round before it; \(grouped(copyRateRange.lowerBound))–\(grouped(copyRateRange.upperBound)) rows/s",
            "rounds (batch events/s, COPY rows/s before and after, their ratio): "
                + m.rounds.enumerated().map { index, round in
                    "\(index + 1): \(grouped(round.load.rate)), "
                        + "\(round.copyBefore.map { grouped($0.rate) } ?? "–")/\(grouped(round.copyAfter.rate)), " + String(format: "%.2f", round.ratio)
                }.joined(separator: "; "),
            "track: \(grouped(m.track.measured)) requests measured after a 1 s warm-up, sent at \(grouped(m.track.achievedRate)) req/s "
                + "(target \(grouped(c.latencyRate))), answered at \(grouped(m.track.answeredRate)) req/s, \(grouped(m.track.failedRequests)) failed; "
                + String(format: "group commit: %.2f requests per transaction", m.trackCommits.requestsPerTransaction),
            "track: \(grouped(m.track.slow)) requests at or over \(grouped(Self.trackP99Goal)) ms"
                + (m.track.slowSeconds.isEmpty ? "" : "; by second of the load, most first: "
                    + m.track.slowSeconds.prefix(5).map { "\($0.second) s: \(grouped($0.requests))" }.joined(separator: ", ")),
            "track: CPU in cores (\(m.trackUsage.cpu.summary)); the service's CPU per request \(grouped(trackMicrosecondsPerRequest)) µs; "
                + "service RSS peak \(String(format: "%.0f", trackResidentMB)) MB",
        ]
        let problems = self.problems
        if !problems.isEmpty {
            lines.append("")
            lines.append("NOT VALID:")
            lines += problems.map { "  - \($0)" }
        }
        return lines.joined(separator: "\n")
    }

    /// One JSON object; every key names its unit.
    func jsonLine() throws -> String {
        let m = measures
        func round(_ value: Double, _ places: Double = 100) -> Double { (value * places).rounded() / places }
        let figures = Figures(
            batchEventsPerS: batchRate.rounded(), copyRowsPerS: copyRate.rounded(), ratioToCopy: round(ratio, 1000),
            copyMinRowsPerS: copyRateRange.lowerBound.rounded(), copyMaxRowsPerS: copyRateRange.upperBound.rounded(),
            roundRatioMin: round(roundRatioRange.lowerBound, 1000), roundRatioMax: round(roundRatioRange.upperBound, 1000), rounds: m.rounds.count,
            trackP50Ms: round(m.track.p50), trackP99Ms: round(m.track.p99), trackMaxMs: round(m.track.max),
            trackLoadReqPerS: m.track.achievedRate.rounded(), trackAnsweredReqPerS: m.track.answeredRate.rounded(),
            rssMB: residentMB.rounded(), rssBatchMB: batchResidentMB.rounded(), rssTrackMB: trackResidentMB.rounded(),
            batchRequestsPerCommit: round(m.batchCommits.requestsPerTransaction), trackRequestsPerCommit: round(m.trackCommits.requestsPerTransaction),
            batchServiceCPUUsPerEvent: batchMicrosecondsPerEvent.rounded(), trackServiceCPUUsPerRequest: trackMicrosecondsPerRequest.rounded(),
            batchServiceCores: round(m.batchUsage.cpu.service), batchPostgresCores: m.batchUsage.cpu.postgres.map { round($0) },
            batchBenchCores: round(m.batchUsage.cpu.bench), batchOtherCores: round(m.batchUsage.cpu.other),
            trackServiceCores: round(m.trackUsage.cpu.service), trackPostgresCores: m.trackUsage.cpu.postgres.map { round($0) },
            batchFailedRequests: m.batch.failedRequests, trackFailedRequests: m.track.failedRequests,
            batchStoredEvents: m.batchStored.events, trackStoredEvents: m.trackStored.events,
            events: configuration.events, eventBytes: configuration.eventBytes, batchSize: configuration.batchSize,
            concurrency: configuration.concurrency, copyConnections: configuration.copyConnections,
            consentRefusals: configuration.consentRefusals,
            serviceExitStatus: serviceExitStatus.map { Int($0) }
        )
        return String(decoding: try JSONCoding.encoder().encode(figures), as: UTF8.self)
    }

    private struct Figures: Encodable {
        let batchEventsPerS: Double
        let copyRowsPerS: Double
        let ratioToCopy: Double
        let copyMinRowsPerS: Double
        let copyMaxRowsPerS: Double
        let roundRatioMin: Double
        let roundRatioMax: Double
        let rounds: Int
        let trackP50Ms: Double
        let trackP99Ms: Double
        let trackMaxMs: Double
        let trackLoadReqPerS: Double
        let trackAnsweredReqPerS: Double
        let rssMB: Double
        let rssBatchMB: Double
        let rssTrackMB: Double
        let batchRequestsPerCommit: Double
        let trackRequestsPerCommit: Double
        let batchServiceCPUUsPerEvent: Double
        let trackServiceCPUUsPerRequest: Double
        let batchServiceCores: Double
        let batchPostgresCores: Double?
        let batchBenchCores: Double
        let batchOtherCores: Double
        let trackServiceCores: Double
        let trackPostgresCores: Double?
        let batchFailedRequests: Int
        let trackFailedRequests: Int
        let batchStoredEvents: Int
        let trackStoredEvents: Int
        let events: Int
        let eventBytes: Int
        let batchSize: Int
        let concurrency: Int
        let copyConnections: Int
        let consentRefusals: Int
        let serviceExitStatus: Int?

        enum CodingKeys: String, CodingKey {
            case batchEventsPerS = "batch_events_per_s"
            case copyRowsPerS = "copy_rows_per_s"
            case ratioToCopy = "ratio_to_copy"
            case copyMinRowsPerS = "copy_min_rows_per_s"
            case copyMaxRowsPerS = "copy_max_rows_per_s"
            case roundRatioMin = "round_ratio_min"
            case roundRatioMax = "round_ratio_max"
            case rounds
            case trackP50Ms = "track_p50_ms"
            case trackP99Ms = "track_p99_ms"
            case trackMaxMs = "track_max_ms"
            case trackLoadReqPerS = "track_load_req_per_s"
            case trackAnsweredReqPerS = "track_answered_req_per_s"
            case rssMB = "rss_mb"
            case rssBatchMB = "rss_batch_mb"
            case rssTrackMB = "rss_track_mb"
            case batchRequestsPerCommit = "batch_requests_per_commit"
            case trackRequestsPerCommit = "track_requests_per_commit"
            case batchServiceCPUUsPerEvent = "batch_service_cpu_us_per_event"
            case trackServiceCPUUsPerRequest = "track_service_cpu_us_per_request"
            case batchServiceCores = "batch_service_cores"
            case batchPostgresCores = "batch_postgres_cores"
            case batchBenchCores = "batch_bench_cores"
            case batchOtherCores = "batch_other_cores"
            case trackServiceCores = "track_service_cores"
            case trackPostgresCores = "track_postgres_cores"
            case batchFailedRequests = "batch_failed_requests"
            case trackFailedRequests = "track_failed_requests"
            case batchStoredEvents = "batch_stored_events"
            case trackStoredEvents = "track_stored_events"
            case events
            case eventBytes = "event_bytes"
            case batchSize = "batch_size"
            case concurrency
            case copyConnections = "copy_connections"
            case consentRefusals = "consent_refusals"
            case serviceExitStatus = "service_exit_status"
        }
    }
}
