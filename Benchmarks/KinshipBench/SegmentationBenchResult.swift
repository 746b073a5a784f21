import Foundation
import KinshipCore

/// The segmentation benchmark's figures, rendered as a table for people and one JSON line for tools.
struct SegmentationBenchResult: Sendable {
    static let evaluateGoal = 10_000.0
    static let recomputeGoalSeconds = 30.0
    static let previewP99GoalMs = 1000.0
    static let residentGoalMB = 300.0
    static let realtimeP99GoalMs = 2000.0
    static let latenessP99GoalSeconds = 60.0

    let configuration: SegmentationBenchConfiguration
    let load: ShopLoad
    let measures: SegmentationMeasures
    /// The benchmark process over every measure (not the load): its peak memory, the CPU shares.
    let usage: MeasureUsage
    let realtime: RealtimeMeasure
    let lateness: LatenessMeasure

    var residentMB: Double { Double(usage.peakResidentKB) / 1024 }
    /// The share of an evaluation's time its events query alone takes.
    var readingShare: Double {
        let e = measures.evaluation.duration.inMilliseconds
        return e > 0 ? measures.reading.duration.inMilliseconds / e : 0
    }

    /// A segment whose recompute and hand-written reference disagree on its members makes the ratio
    /// meaningless: one of the two does not answer the definition.
    /// So do probe events without their entry, people entering twice, exits missing or early, and a
    /// set-up that ran past the first due moment (its lateness would be the set-up's).
    var problems: [String] {
        var problems = measures.segments.segments.filter { $0.members != $0.referenceMembers }.map {
            "\($0.name): the recompute found \(grouped($0.members)) members, the hand-written SQL \(grouped($0.referenceMembers))"
        }
        let (r, l) = (realtime, lateness)
        if r.unanswered > 0 { problems.append("\(grouped(r.unanswered)) of \(grouped(r.events)) probe events have no segment.entered message") }
        if r.repeated > 0 { problems.append("\(grouped(r.repeated)) probe people entered the probe segment more than once") }
        if l.missing > 0 { problems.append("\(grouped(l.missing)) of \(grouped(l.setUp.profiles)) due probe profiles never left the segment") }
        if l.early > 0 { problems.append("\(grouped(l.early)) due probe profiles left before their due moment") }
        if l.overrun > 0 { problems.append(String(format: "the time-driven set-up ended %.1f s after the first due moment", l.overrun)) }
        return problems
    }

    var table: String {
        let c = configuration
        let m = measures
        let s = m.segments
        let seconds = { (d: Duration) in String(format: "%.2f s", d.inMilliseconds / 1000) }
        var lines = [
            "Segmentation benchmark: the segmentation library over a demo shop stored as ingestion and identity leave it, durable cluster, "
                + "\(ProcessInfo.processInfo.activeProcessorCount) cores shared with Postgres",
            "shop: \(grouped(c.customers)) customers over \(c.days) days (seed \(c.seed)): \(grouped(load.profiles)) profiles, \(grouped(load.events)) events "
                + "(\(grouped(load.skipped)) visitors' messages and duplicates left out)",
            "",
        ]
        lines += TextTable.figures([
            ["evaluate, 1 worker", "\(grouped(m.evaluation.eventsPerSecond)) events/s", "≥ \(grouped(Self.evaluateGoal)) events/s",
             m.evaluation.eventsPerSecond >= Self.evaluateGoal ? "met" : "missed"],
            ["evaluate, 1 worker, profiles", "\(grouped(m.evaluation.profilesPerSecond)) profiles/s", "", ""],
            ["reading alone (its events query)", "\(grouped(m.reading.eventsPerSecond)) events/s", "", ""],
            ["reading / evaluation time", String(format: "%.2f", readingShare), "", ""],
            ["RFM scoring", seconds(m.rfm), "", ""],
            ["full recompute of 20 segments", seconds(s.recompute), "< \(Int(Self.recomputeGoalSeconds)) s",
             s.recompute.inMilliseconds / 1000 < Self.recomputeGoalSeconds ? "met" : "missed"],
            ["reference: 20 counts in hand-written SQL", seconds(s.reference), "", ""],
            ["recompute / reference", String(format: "%.2f", s.ratio), "", ""],
            ["preview, p50", String(format: "%.0f ms", m.previews.p50), "", ""],
            ["preview, p99", String(format: "%.0f ms", m.previews.p99), "< \(grouped(Self.previewP99GoalMs)) ms",
             m.previews.p99 < Self.previewP99GoalMs ? "met" : "missed"],
            ["preview, max", String(format: "%.0f ms", m.previews.max), "", ""],
            ["bench RSS, peak", String(format: "%.0f MB", residentMB), "< \(Int(Self.residentGoalMB)) MB",
             residentMB < Self.residentGoalMB ? "met" : "missed"],
            ["real time: commit to segment.entered, p50", String(format: "%.0f ms", realtime.p50), "", ""],
            ["real time: commit to segment.entered, p99", String(format: "%.0f ms", realtime.p99), "< \(grouped(Self.realtimeP99GoalMs)) ms",
             realtime.p99 < Self.realtimeP99GoalMs ? "met" : "missed"],
            ["time-driven exits: lateness, p50", String(format: "%.2f s", lateness.p50), "", ""],
            ["time-driven exits: lateness, p99", String(format: "%.2f s", lateness.p99), "< \(Int(Self.latenessP99GoalSeconds)) s",
             lateness.p99 < Self.latenessP99GoalSeconds ? "met" : "missed"],
        ]).lines
        lines += [
            "",
            String(format: "load (set-up, not measured): %.1f s, %@ events/s (profiles, sealed events and event_profiles by COPY)",
                   load.duration.inMilliseconds / 1000, grouped(perSecond(load.events, load.duration))),
            String(format: "evaluation: %@ profiles in %.1f s, %d per transaction; RFM scored %@ profiles",
                   grouped(m.evaluation.profiles), m.evaluation.duration.inMilliseconds / 1000, c.evaluationBatch, grouped(m.rfmScored)),
            "measures: CPU in cores (\(usage.cpu.summary))",
            "previews: \(m.previews.latenciesMs.count), sample \(m.previews.sample), one after another",
        ]
        lines += realtimeLines + latenessLines + [""]
        lines += TextTable(
            header: ["segment", "members", "recompute", "reference", ""],
            rows: s.segments.map { segment in
                [segment.name, grouped(segment.members), String(format: "%.0f ms", segment.recompute.inMilliseconds),
                 String(format: "%.0f ms", segment.reference.inMilliseconds), segment.members == segment.referenceMembers ? "" : "DIFFERS"]
            },
            alignments: [.left, .right, .right, .right], gutter: 3
        ).lines
        let problems = self.problems
        if !problems.isEmpty {
            lines.append("")
            lines.append("NOT VALID:")
            lines += problems.map { "  - \($0)" }
        }
        return lines.joined(separator: "\n")
    }

    /// The real-time measure's load and what else it printed.
    private var realtimeLines: [String] {
        let r = realtime
        return [
            String(format: "real time: %@ probe events at %@ events/s for %d s (%@ events/s achieved, %.1f per transaction), %@ from people identity knew; "
                   + "max %.0f ms; p50 and p99 over the %@ after the first second", grouped(r.events), grouped(r.targetRate), configuration.realtimeSeconds,
                   grouped(r.achievedRate), Double(r.events) / Double(max(r.transactions, 1)), grouped(r.returning), r.max, grouped(r.measured)),
            String(format: "real time: identity's part (commit to its resolutions message) p50 %.0f ms, p99 %.0f ms; warm-up (set-up, not measured) %.1f s",
                   r.resolvedP50, r.resolvedP99, r.warmup.inMilliseconds / 1000),
            "real time: CPU in cores (\(r.usage.cpu.summary); service is this process: identity, segmentation and the writers)",
        ]
    }

    /// The time-driven measure's set-up and what else it printed.
    private var latenessLines: [String] {
        let l = lateness
        return [
            String(format: "time-driven: %@ exits falling due over %d s; set-up (not measured) %.1f s for them and %@ calibration profiles; max %.2f s",
                   grouped(l.setUp.profiles), configuration.dueSpreadSeconds, l.setUp.duration.inMilliseconds / 1000,
                   grouped(l.setUp.calibrationProfiles), l.max),
            "time-driven: CPU in cores (\(l.usage.cpu.summary); service is this process: the due-time loop)",
        ]
    }

    /// One JSON object; every key names its unit.
    func jsonLine() throws -> String {
        func round(_ value: Double, _ places: Double = 100) -> Double { (value * places).rounded() / places }
        let m = measures
        let figures = Figures(
            customers: configuration.customers, days: configuration.days, profiles: load.profiles, events: load.events,
            loadS: round(load.duration.inMilliseconds / 1000),
            evaluate1WorkerEventsPerS: m.evaluation.eventsPerSecond.rounded(), evaluate1WorkerProfilesPerS: m.evaluation.profilesPerSecond.rounded(),
            evaluateS: round(m.evaluation.duration.inMilliseconds / 1000), readingEventsPerS: m.reading.eventsPerSecond.rounded(),
            readingShare: round(readingShare), rfmScoringS: round(m.rfm.inMilliseconds / 1000),
            recompute20S: round(m.segments.recompute.inMilliseconds / 1000), reference20S: round(m.segments.reference.inMilliseconds / 1000),
            ratioToReference: round(m.segments.ratio), slowestRecomputeMs: round(m.segments.slowest?.recompute.inMilliseconds ?? 0, 1),
            previewP50Ms: round(m.previews.p50), previewP99Ms: round(m.previews.p99), previewMaxMs: round(m.previews.max),
            benchRssMB: residentMB.rounded(), benchCores: round(usage.cpu.service), postgresCores: usage.cpu.postgres.map { round($0) },
            segmentsDiffering: m.segments.segments.count(where: { $0.members != $0.referenceMembers }),
            realtimeTargetEventsPerS: realtime.targetRate, realtimeEventsPerS: realtime.achievedRate.rounded(), realtimeEvents: realtime.events,
            realtimeP50Ms: round(realtime.p50), realtimeP99Ms: round(realtime.p99), realtimeMaxMs: round(realtime.max),
            realtimeResolvedP50Ms: round(realtime.resolvedP50), realtimeResolvedP99Ms: round(realtime.resolvedP99),
            realtimeUnanswered: realtime.unanswered, realtimeRepeated: realtime.repeated, realtimeWarmupS: round(realtime.warmup.inMilliseconds / 1000),
            dueProfiles: lateness.setUp.profiles, dueSpreadS: configuration.dueSpreadSeconds, dueSetupS: round(lateness.setUp.duration.inMilliseconds / 1000),
            dueLatenessP50S: round(lateness.p50), dueLatenessP99S: round(lateness.p99), dueLatenessMaxS: round(lateness.max),
            dueMissing: lateness.missing, dueEarly: lateness.early, dueSetupOverrunS: round(lateness.overrun)
        )
        return String(decoding: try JSONCoding.encoder().encode(figures), as: UTF8.self)
    }

    private struct Figures: Encodable {
        let customers: Int
        let days: Int
        let profiles: Int
        let events: Int
        let loadS: Double
        let evaluate1WorkerEventsPerS: Double
        let evaluate1WorkerProfilesPerS: Double
        let evaluateS: Double
        let readingEventsPerS: Double
        let readingShare: Double
        let rfmScoringS: Double
        let recompute20S: Double
        let reference20S: Double
        let ratioToReference: Double
        let slowestRecomputeMs: Double
        let previewP50Ms: Double
        let previewP99Ms: Double
        let previewMaxMs: Double
        let benchRssMB: Double
        let benchCores: Double
        let postgresCores: Double?
        let segmentsDiffering: Int
        let realtimeTargetEventsPerS: Int
        let realtimeEventsPerS: Double
        let realtimeEvents: Int
        let realtimeP50Ms: Double
        let realtimeP99Ms: Double
        let realtimeMaxMs: Double
        let realtimeResolvedP50Ms: Double
        let realtimeResolvedP99Ms: Double
        let realtimeUnanswered: Int
        let realtimeRepeated: Int
        let realtimeWarmupS: Double
        let dueProfiles: Int
        let dueSpreadS: Int
        let dueSetupS: Double
        let dueLatenessP50S: Double
        let dueLatenessP99S: Double
        let dueLatenessMaxS: Double
        let dueMissing: Int
        let dueEarly: Int
        let dueSetupOverrunS: Double

        enum CodingKeys: String, CodingKey {
            case customers
            case days
            case profiles
            case events
            case loadS = "load_s"
            case evaluate1WorkerEventsPerS = "evaluate_1_worker_events_per_s"
            case evaluate1WorkerProfilesPerS = "evaluate_1_worker_profiles_per_s"
            case evaluateS = "evaluate_s"
            case readingEventsPerS = "reading_events_per_s"
            case readingShare = "reading_share"
            case rfmScoringS = "rfm_scoring_s"
            case recompute20S = "recompute_20_s"
            case reference20S = "reference_20_s"
            case ratioToReference = "ratio_to_reference"
            case slowestRecomputeMs = "slowest_recompute_ms"
            case previewP50Ms = "preview_p50_ms"
            case previewP99Ms = "preview_p99_ms"
            case previewMaxMs = "preview_max_ms"
            case benchRssMB = "bench_rss_mb"
            case benchCores = "bench_cores"
            case postgresCores = "postgres_cores"
            case segmentsDiffering = "segments_differing"
            case realtimeTargetEventsPerS = "realtime_target_events_per_s"
            case realtimeEventsPerS = "realtime_events_per_s"
            case realtimeEvents = "realtime_events"
            case realtimeP50Ms = "realtime_p50_ms"
            case realtimeP99Ms = "realtime_p99_ms"
            case realtimeMaxMs = "realtime_max_ms"
            case realtimeResolvedP50Ms = "realtime_resolved_p50_ms"
            case realtimeResolvedP99Ms = "realtime_resolved_p99_ms"
            case realtimeUnanswered = "realtime_unanswered"
            case realtimeRepeated = "realtime_repeated"
            case realtimeWarmupS = "realtime_warmup_s"
            case dueProfiles = "due_profiles"
            case dueSpreadS = "due_spread_s"
            case dueSetupS = "due_setup_s"
            case dueLatenessP50S = "due_lateness_p50_s"
            case dueLatenessP99S = "due_lateness_p99_s"
            case dueLatenessMaxS = "due_lateness_max_s"
            case dueMissing = "due_missing"
            case dueEarly = "due_early"
            case dueSetupOverrunS = "due_setup_overrun_s"
        }
    }
}
