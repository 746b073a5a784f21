import Foundation
import Shared

/// The ingestion benchmark's figures, rendered as a table for people and one JSON line for tools.
struct IngestionBenchResult: Sendable {
    static let batchGoal = 20_000.0
    static let ratioGoal = 0.5
    static let trackP99Goal = 10.0
    static let residentGoalMB = 200.0

    /// What each measure saw.
    struct Measures: Sendable {
        let batch: BatchLoad
        let batchUsage: IngestionBenchmark.Usage
        let batchCommits: GroupCommits
        let batchStored: IngestionBenchmark.StoredRows
        /// The reference `COPY` of the warm-up's stored rows just before the batch load (none without a
        /// warm-up), and of the batch load's own rows just after it.
        let copyBefore: CopyMeasure?
        let copy: CopyMeasure
        let track: TrackLoad
        let trackUsage: IngestionBenchmark.Usage
        let trackCommits: GroupCommits
        let trackStored: IngestionBenchmark.StoredRows
    }

    let configuration: IngestionBenchConfiguration
    let measures: Measures
    /// The service's exit status after SIGTERM; nil when it had to be killed.
    let serviceExitStatus: Int32?

    var batchRate: Double { perSecond(measures.batch.stored, measures.batch.duration) }
    /// The reference rate: the mean of the `COPY`s on both sides of the batch load, as the machine's own
    /// speed drifts by a quarter within minutes and a single `COPY` after the load caught only one side.
    var copyRate: Double {
        let rates = [measures.copyBefore, measures.copy].compactMap { $0?.rate }
        return rates.reduce(0, +) / Double(rates.count)
    }
    var ratio: Double { copyRate > 0 ? batchRate / copyRate : 0 }
    var batchResidentMB: Double { Double(measures.batchUsage.peakResidentKB) / 1024 }
    var trackResidentMB: Double { Double(measures.trackUsage.peakResidentKB) / 1024 }
    var residentMB: Double { max(batchResidentMB, trackResidentMB) }
    /// The service's CPU time per stored event in the batch load, and per answered request in the track load.
    var batchMicrosecondsPerEvent: Double { batchRate > 0 ? measures.batchUsage.cpu.service / batchRate * 1e6 : 0 }
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
            "",
        ]
        lines += tableLines([
            ("measure", "result", "goal", ""),
            ("POST /v1/batch", "\(grouped(batchRate)) events/s", "≥ \(grouped(Self.batchGoal)) events/s", batchRate >= Self.batchGoal ? "met" : "missed"),
            ("reference: COPY of the same rows", "\(grouped(copyRate)) rows/s", "", ""),
            ("batch / COPY", String(format: "%.2f", ratio), String(format: "≥ %.2f", Self.ratioGoal), ratio >= Self.ratioGoal ? "met" : "missed"),
            ("POST /v1/track at \(rateText), p50", String(format: "%.1f ms", m.track.p50), "", ""),
            ("POST /v1/track at \(rateText), p99", String(format: "%.1f ms", m.track.p99), "< \(grouped(Self.trackP99Goal)) ms",
             m.track.p99 < Self.trackP99Goal ? "met" : "missed"),
            ("POST /v1/track at \(rateText), max", String(format: "%.1f ms", m.track.max), "", ""),
            ("service RSS, peak of both loads", String(format: "%.0f MB", residentMB), "< \(grouped(Self.residentGoalMB)) MB",
             residentMB < Self.residentGoalMB ? "met" : "missed"),
        ])
        lines += [
            "",
            "batch: \(grouped(m.batch.requests)) requests in \(String(format: "%.1f", m.batch.duration.inMilliseconds / 1000)) s, "
                + "\(grouped(m.batch.failedRequests)) failed; \(grouped(m.batchStored.events)) events and \(grouped(m.batchStored.outbox)) outbox references stored; "
                + String(format: "group commit: %.1f requests per transaction, %.0f transactions/s", m.batchCommits.requestsPerTransaction,
                         perSecond(m.batchCommits.transactions, m.batch.duration)),
            "batch: CPU in cores (\(m.batchUsage.cpu.summary)); the service's CPU per event \(grouped(batchMicrosecondsPerEvent)) µs; "
                + "service RSS peak \(String(format: "%.0f", batchResidentMB)) MB",
            "COPY: \(grouped(m.copy.rows)) rows, \(grouped(m.copy.bytes / 1_000_000)) MB of COPY text, "
                + "\(c.copyConnections) connection(s), one COPY and one transaction each, into a copy of events (no dedup, no outbox); "
                + (m.copyBefore.map { "\(grouped($0.rate)) rows/s before the batch load (the warm-up's rows), \(grouped(m.copy.rate)) after it (its own); the reference is their mean" }
                    ?? "\(grouped(m.copy.rate)) rows/s after the batch load"),
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
            copyBeforeRowsPerS: m.copyBefore?.rate.rounded(), copyAfterRowsPerS: m.copy.rate.rounded(),
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
            serviceExitStatus: serviceExitStatus.map { Int($0) }
        )
        return String(decoding: try JSONCoding.encoder().encode(figures), as: UTF8.self)
    }

    private struct Figures: Encodable {
        let batchEventsPerS: Double
        let copyRowsPerS: Double
        let ratioToCopy: Double
        let copyBeforeRowsPerS: Double?
        let copyAfterRowsPerS: Double
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
        let serviceExitStatus: Int?

        enum CodingKeys: String, CodingKey {
            case batchEventsPerS = "batch_events_per_s"
            case copyRowsPerS = "copy_rows_per_s"
            case ratioToCopy = "ratio_to_copy"
            case copyBeforeRowsPerS = "copy_before_rows_per_s"
            case copyAfterRowsPerS = "copy_after_rows_per_s"
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
            case serviceExitStatus = "service_exit_status"
        }
    }
}
