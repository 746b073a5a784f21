import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy

/// The identity benchmark's figures, rendered as a table for people and one JSON line for tools.
struct IdentityBenchResult: Sendable {
    static let resolveGoal = 10_000.0
    static let lagP99Goal = 1000.0

    let configuration: IdentityBenchConfiguration
    let stream: IdentityStream
    /// Loading the stream before each resolution run (set-up, not a measure).
    let load: Duration
    let reload: Duration
    let oneWorker: ResolveMeasure
    let lag: LagMeasure
    let reference: ReferenceMeasure
    let twoWorkers: ResolveMeasure
    /// Each worker's exit status after SIGTERM (the one-worker run's, then the two-worker run's); nil when killed.
    let serviceExitStatuses: [Int32?]

    var scaling: Double { oneWorker.eventsPerSecond > 0 ? twoWorkers.eventsPerSecond / oneWorker.eventsPerSecond : 0 }
    var ratio: Double { reference.rowsPerSecond > 0 ? oneWorker.eventsPerSecond / reference.rowsPerSecond : 0 }
    var residentMB: Double {
        Double([oneWorker.usage, lag.usage, twoWorkers.usage].map(\.peakResidentKB).max() ?? 0) / 1024
    }
    /// The service's CPU time per resolved event, one worker.
    var microsecondsPerEvent: Double {
        oneWorker.eventsPerSecond > 0 ? oneWorker.usage.cpu.service / oneWorker.eventsPerSecond * 1e6 : 0
    }

    /// What makes these figures untrustworthy: a resolver that leaves events unresolved, ends with another
    /// number of profiles than the stream has people and unlinked devices, or does not stop cleanly, is
    /// not measured fairly.
    var problems: [String] {
        var problems: [String] = []
        for (name, run) in [("1 worker", oneWorker), ("2 workers", twoWorkers)] {
            let o = run.outcome
            if o.unresolved > 0 { problems.append("\(name): \(grouped(o.unresolved)) of \(grouped(run.events)) events never resolved") }
            if o.deadLetters > 0 { problems.append("\(name): identity dead-lettered \(grouped(o.deadLetters)) events") }
            if o.liveProfiles != stream.expectedProfiles {
                problems.append("\(name): \(grouped(o.liveProfiles)) live profiles, where the stream makes \(grouped(stream.expectedProfiles)) "
                    + "(\(grouped(stream.peopleLoggedIn)) people who logged in and \(grouped(stream.expectedProfiles - stream.peopleLoggedIn)) devices never linked to one)")
            }
            if o.eventsOnMergedProfiles > 0 {
                problems.append("\(name): \(grouped(o.eventsOnMergedProfiles)) events still point at a profile merged into another")
            }
        }
        if lag.unanswered > 0 {
            problems.append("lag: identity wrote no profile.created or profile.updated for \(grouped(lag.unanswered)) of \(grouped(lag.events)) events")
        }
        for status in serviceExitStatuses {
            switch status {
            case nil: problems.append("identity was still running 15 s after SIGTERM")
            case 0?: break
            case let status?: problems.append("identity exited with status \(status) after SIGTERM")
            }
        }
        return problems
    }

    var table: String {
        let c = configuration
        let s = stream
        let rateText = "\(grouped(c.latencyRate)) events/s"
        var lines = [
            "Identity benchmark: release `identity` workers resolving a stream stored as ingestion stores it, durable cluster, "
                + "\(ProcessInfo.processInfo.activeProcessorCount) cores shared with Postgres and the benchmark",
            "stream: \(grouped(c.events)) events over \(grouped(c.people)) people (seed \(c.seed)): \(grouped(s.peopleWithEvents)) with events, "
                + "\(grouped(s.peopleLoggedIn)) log in, \(grouped(s.devicesUsed)) devices (\(grouped(s.sharedDevicesUsed)) shared); "
                + "lag: new events at \(rateText) for \(c.latencySeconds) s",
            "",
        ]
        lines += TextTable.figures([
            ["resolve, 1 worker", "\(grouped(oneWorker.eventsPerSecond)) events/s", "≥ \(grouped(Self.resolveGoal)) events/s",
             oneWorker.eventsPerSecond >= Self.resolveGoal ? "met" : "missed"],
            ["resolve, 2 workers", "\(grouped(twoWorkers.eventsPerSecond)) events/s", "", ""],
            ["2 workers / 1 worker", String(format: "%.2f", scaling), "", ""],
            ["reference: INSERT INTO event_profiles", "\(grouped(reference.rowsPerSecond)) rows/s", "", ""],
            ["1 worker / reference", String(format: "%.3f", ratio), "", ""],
            ["lag commit → profile.*, p50", String(format: "%.0f ms", lag.p50), "", ""],
            ["lag commit → profile.*, p99", String(format: "%.0f ms", lag.p99), "< \(grouped(Self.lagP99Goal)) ms at \(rateText)",
             lag.p99 < Self.lagP99Goal ? "met" : "missed"],
            ["lag commit → profile.*, max", String(format: "%.0f ms", lag.max), "", ""],
            ["lag load achieved", "\(grouped(lag.achievedRate)) events/s", "", ""],
            ["identity RSS, peak", String(format: "%.0f MB", residentMB), "", ""],
            ["live profiles, 1 worker", grouped(oneWorker.outcome.liveProfiles), "= \(grouped(s.expectedProfiles))",
             oneWorker.outcome.liveProfiles == s.expectedProfiles ? "right" : "WRONG"],
            ["live profiles, 2 workers", grouped(twoWorkers.outcome.liveProfiles), "= \(grouped(s.expectedProfiles))",
             twoWorkers.outcome.liveProfiles == s.expectedProfiles ? "right" : "WRONG"],
        ]).lines
        lines += [
            "",
            "load (set-up, not measured): \(String(format: "%.1f", load.inMilliseconds / 1000)) s, \(grouped(perSecond(c.events, load))) events/s "
                + "(events rows by COPY and outbox references, \(grouped(c.loadTransactionSize)) per transaction); again before 2 workers: "
                + String(format: "%.1f s", reload.inMilliseconds / 1000),
        ]
        for run in [oneWorker, twoWorkers] {
            let o = run.outcome
            lines.append(
                "\(run.workers) worker\(run.workers == 1 ? "" : "s"): \(String(format: "%.1f", run.duration.inMilliseconds / 1000)) s from start to the last event; "
                    + "CPU in cores (\(run.usage.cpu.summary)); RSS peak \(String(format: "%.0f", Double(run.usage.peakResidentKB) / 1024)) MB"
            )
            lines.append(
                "  left \(grouped(o.unresolved)) events unresolved, \(grouped(o.liveProfiles)) live profiles, \(grouped(o.identities)) identifiers, "
                    + "\(grouped(o.merges)) merges, \(grouped(o.conflicts)) conflicts, \(grouped(o.deadLetters)) dead letters; partitions held: \(run.leases)"
            )
        }
        lines += [
            "1 worker: the service's CPU per event \(grouped(microsecondsPerEvent)) µs",
            "reference: \(grouped(reference.rows)) rows, \(ReferenceMeasure.batchSize) per transaction on \(ReferenceMeasure.connections) connections, "
                + "asynchronous commit, by primary key from the 1-worker run's answers",
            "lag: \(grouped(lag.events)) events in \(grouped(lag.transactions)) transactions "
                + String(format: "(%.1f per commit)", Double(lag.events) / Double(max(lag.transactions, 1)))
                + ", percentiles over the \(grouped(lag.measured)) after the first second, \(grouped(lag.unanswered)) unanswered; "
                + "CPU in cores (\(lag.usage.cpu.summary))",
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
        func round(_ value: Double, _ places: Double = 100) -> Double { (value * places).rounded() / places }
        let s = stream
        let figures = Figures(
            events: configuration.events, people: configuration.people, peopleWithEvents: s.peopleWithEvents, peopleLoggedIn: s.peopleLoggedIn,
            devicesUsed: s.devicesUsed, sharedDevices: s.sharedDevicesUsed, expectedProfiles: s.expectedProfiles,
            loadS: round(load.inMilliseconds / 1000), loadEventsPerS: perSecond(configuration.events, load).rounded(),
            resolve1WorkerEventsPerS: oneWorker.eventsPerSecond.rounded(), resolve2WorkersEventsPerS: twoWorkers.eventsPerSecond.rounded(),
            resolve1WorkerS: round(oneWorker.duration.inMilliseconds / 1000), resolve2WorkersS: round(twoWorkers.duration.inMilliseconds / 1000),
            scaling2Workers: round(scaling), referenceInsertRowsPerS: reference.rowsPerSecond.rounded(), ratioToInsert: round(ratio, 1000),
            lagP50Ms: round(lag.p50), lagP99Ms: round(lag.p99), lagMaxMs: round(lag.max),
            lagTargetEventsPerS: lag.targetRate, achievedRateEventsPerS: lag.achievedRate.rounded(),
            lagEvents: lag.events, lagUnanswered: lag.unanswered,
            identityRssMB: residentMB.rounded(), identityCPUUsPerEvent: microsecondsPerEvent.rounded(),
            identityCores1Worker: round(oneWorker.usage.cpu.service), postgresCores1Worker: oneWorker.usage.cpu.postgres.map { round($0) },
            identityCores2Workers: round(twoWorkers.usage.cpu.service), postgresCores2Workers: twoWorkers.usage.cpu.postgres.map { round($0) },
            identityCoresLag: round(lag.usage.cpu.service), postgresCoresLag: lag.usage.cpu.postgres.map { round($0) },
            liveProfiles1Worker: oneWorker.outcome.liveProfiles, liveProfiles2Workers: twoWorkers.outcome.liveProfiles,
            unresolvedEvents1Worker: oneWorker.outcome.unresolved, unresolvedEvents2Workers: twoWorkers.outcome.unresolved,
            merges: oneWorker.outcome.merges, conflicts: oneWorker.outcome.conflicts, identities: oneWorker.outcome.identities,
            serviceExitStatuses: serviceExitStatuses.map { $0.map { Int($0) } }
        )
        return String(decoding: try JSONCoding.encoder().encode(figures), as: UTF8.self)
    }

    private struct Figures: Encodable {
        let events: Int
        let people: Int
        let peopleWithEvents: Int
        let peopleLoggedIn: Int
        let devicesUsed: Int
        let sharedDevices: Int
        let expectedProfiles: Int
        let loadS: Double
        let loadEventsPerS: Double
        let resolve1WorkerEventsPerS: Double
        let resolve2WorkersEventsPerS: Double
        let resolve1WorkerS: Double
        let resolve2WorkersS: Double
        let scaling2Workers: Double
        let referenceInsertRowsPerS: Double
        let ratioToInsert: Double
        let lagP50Ms: Double
        let lagP99Ms: Double
        let lagMaxMs: Double
        let lagTargetEventsPerS: Int
        let achievedRateEventsPerS: Double
        let lagEvents: Int
        let lagUnanswered: Int
        let identityRssMB: Double
        let identityCPUUsPerEvent: Double
        let identityCores1Worker: Double
        let postgresCores1Worker: Double?
        let identityCores2Workers: Double
        let postgresCores2Workers: Double?
        let identityCoresLag: Double
        let postgresCoresLag: Double?
        let liveProfiles1Worker: Int
        let liveProfiles2Workers: Int
        let unresolvedEvents1Worker: Int
        let unresolvedEvents2Workers: Int
        let merges: Int
        let conflicts: Int
        let identities: Int
        let serviceExitStatuses: [Int?]

        enum CodingKeys: String, CodingKey {
            case events
            case people
            case peopleWithEvents = "people_with_events"
            case peopleLoggedIn = "people_logged_in"
            case devicesUsed = "devices_used"
            case sharedDevices = "shared_devices"
            case expectedProfiles = "expected_profiles"
            case loadS = "load_s"
            case loadEventsPerS = "load_events_per_s"
            case resolve1WorkerEventsPerS = "resolve_1_worker_events_per_s"
            case resolve2WorkersEventsPerS = "resolve_2_workers_events_per_s"
            case resolve1WorkerS = "resolve_1_worker_s"
            case resolve2WorkersS = "resolve_2_workers_s"
            case scaling2Workers = "scaling_2_workers"
            case referenceInsertRowsPerS = "reference_insert_rows_per_s"
            case ratioToInsert = "ratio_to_insert"
            case lagP50Ms = "lag_p50_ms"
            case lagP99Ms = "lag_p99_ms"
            case lagMaxMs = "lag_max_ms"
            case lagTargetEventsPerS = "lag_target_events_per_s"
            case achievedRateEventsPerS = "achieved_rate_events_per_s"
            case lagEvents = "lag_events"
            case lagUnanswered = "lag_unanswered"
            case identityRssMB = "identity_rss_mb"
            case identityCPUUsPerEvent = "identity_cpu_us_per_event"
            case identityCores1Worker = "identity_cores_1_worker"
            case postgresCores1Worker = "postgres_cores_1_worker"
            case identityCores2Workers = "identity_cores_2_workers"
            case postgresCores2Workers = "postgres_cores_2_workers"
            case identityCoresLag = "identity_cores_lag"
            case postgresCoresLag = "postgres_cores_lag"
            case liveProfiles1Worker = "live_profiles_1_worker"
            case liveProfiles2Workers = "live_profiles_2_workers"
            case unresolvedEvents1Worker = "unresolved_events_1_worker"
            case unresolvedEvents2Workers = "unresolved_events_2_workers"
            case merges
            case conflicts
            case identities
            case serviceExitStatuses = "service_exit_statuses"
        }
    }
}
