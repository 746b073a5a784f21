import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy

/// The outbox benchmark's figures, rendered as a table for people and one JSON line for tools.
struct OutboxBenchResult: Sendable {
    static let consumeGoal = 30_000.0
    static let latencyP99Goal = 50.0

    let configuration: OutboxBenchConfiguration
    let produced: Duration
    let reference: Duration
    let oneWorker: ConsumeMeasure
    let twoWorkers: ConsumeMeasure
    let latency: LatencySummary

    var produceRate: Double { perSecond(configuration.messages, produced) }
    var referenceRate: Double { perSecond(configuration.messages, reference) }
    var ratio: Double { referenceRate > 0 ? produceRate / referenceRate : 0 }
    var oneWorkerRate: Double { perSecond(configuration.messages, oneWorker.duration) }
    var twoWorkersRate: Double { perSecond(configuration.messages, twoWorkers.duration) }

    /// What makes these figures untrustworthy: a bus that loses or repeats messages is not measured fairly.
    var problems: [String] {
        let n = configuration.messages
        var problems: [String] = []
        for (name, measure) in [("one worker", oneWorker), ("two workers", twoWorkers)] where measure.handled != n {
            problems.append(
                measure.handled < n
                    ? "\(name): handlers saw \(grouped(measure.handled)) of \(grouped(n)) messages, yet the cursors passed them all: \(grouped(n - measure.handled)) skipped"
                    : "\(name): handlers saw \(grouped(measure.handled)) messages for \(grouped(n)): \(grouped(measure.handled - n)) delivered twice"
            )
        }
        if latency.unhandled > 0 {
            problems.append("latency: \(grouped(latency.unhandled)) committed messages had not reached the handler 10 s after the last commit")
        }
        if latency.redelivered > 0 {
            problems.append("latency: \(grouped(latency.redelivered)) messages reached the handler twice")
        }
        return problems
    }

    var table: String {
        let c = configuration
        let options = c.consumerOptions
        var lines = [
            "Outbox benchmark: \(grouped(c.messages)) messages of \(grouped(c.payloadBytes)) B JSON, topic of \(OutboxBenchmark.topic.partitions) partitions",
            "producers: \(c.producers) connections × \(grouped(c.transactionSize)) messages per transaction; "
                + "consumers: batch \(grouped(options.batchSize)), \(options.parallelPartitions) partitions at once, "
                + "heartbeat \(grouped(options.heartbeatInterval.inMilliseconds)) ms",
            "",
        ]
        let rows: [[String]] = [
            ["produce (Outbox.append)", "\(grouped(produceRate)) msgs/s", "", ""],
            ["reference (plain INSERT … unnest)", "\(grouped(referenceRate)) msgs/s", "", ""],
            ["produce / reference", String(format: "%.2f", ratio), "", ""],
            ["consume, one worker", "\(grouped(oneWorkerRate)) msgs/s", "≥ \(grouped(Self.consumeGoal)) msgs/s",
             oneWorkerRate >= Self.consumeGoal ? "met" : "missed"],
            ["consume, two worker processes", "\(grouped(twoWorkersRate)) msgs/s", "", ""],
            ["latency commit → handler, p50", String(format: "%.1f ms", latency.p50), "", ""],
            ["latency commit → handler, p99", String(format: "%.1f ms", latency.p99), "< \(grouped(Self.latencyP99Goal)) ms",
             latency.p99 < Self.latencyP99Goal ? "met" : "missed"],
            ["latency commit → handler, max", String(format: "%.1f ms", latency.max), "", ""],
        ]
        lines += TextTable.figures(rows).lines
        lines.append("")
        lines.append(
            "latency load: \(grouped(latency.measured + latency.unhandled)) single-message transactions after a 1 s warm-up, "
                + "at \(grouped(latency.achievedRate)) msgs/s achieved (target \(grouped(c.latencyRate)))"
        )
        let problems = self.problems
        if !problems.isEmpty {
            lines.append("")
            lines.append("NOT VALID, the consumer misdelivered:")
            lines += problems.map { "  - \($0)" }
        }
        return lines.joined(separator: "\n")
    }

    /// One JSON object; every key names its unit.
    func jsonLine() throws -> String {
        let figures = Figures(
            produceMsgsPerS: produceRate.rounded(), insertReferenceMsgsPerS: referenceRate.rounded(),
            ratioToInsert: (ratio * 1000).rounded() / 1000,
            consumeOneWorkerMsgsPerS: oneWorkerRate.rounded(), consumeTwoWorkersMsgsPerS: twoWorkersRate.rounded(),
            latencyP50Ms: (latency.p50 * 100).rounded() / 100, latencyP99Ms: (latency.p99 * 100).rounded() / 100,
            latencyMaxMs: (latency.max * 100).rounded() / 100, latencyLoadMsgsPerS: latency.achievedRate.rounded(),
            latencyUnhandled: latency.unhandled, latencyRedelivered: latency.redelivered,
            consumeOneWorkerHandled: oneWorker.handled, consumeTwoWorkersHandled: twoWorkers.handled,
            messages: configuration.messages, payloadBytes: configuration.payloadBytes
        )
        return String(decoding: try JSONCoding.encoder().encode(figures), as: UTF8.self)
    }

    private struct Figures: Encodable {
        let produceMsgsPerS: Double
        let insertReferenceMsgsPerS: Double
        let ratioToInsert: Double
        let consumeOneWorkerMsgsPerS: Double
        let consumeTwoWorkersMsgsPerS: Double
        let latencyP50Ms: Double
        let latencyP99Ms: Double
        let latencyMaxMs: Double
        let latencyLoadMsgsPerS: Double
        let latencyUnhandled: Int
        let latencyRedelivered: Int
        let consumeOneWorkerHandled: Int
        let consumeTwoWorkersHandled: Int
        let messages: Int
        let payloadBytes: Int

        enum CodingKeys: String, CodingKey {
            case produceMsgsPerS = "produce_msgs_per_s"
            case insertReferenceMsgsPerS = "insert_reference_msgs_per_s"
            case ratioToInsert = "ratio_to_insert"
            case consumeOneWorkerMsgsPerS = "consume_one_worker_msgs_per_s"
            case consumeTwoWorkersMsgsPerS = "consume_two_workers_msgs_per_s"
            case latencyP50Ms = "latency_p50_ms"
            case latencyP99Ms = "latency_p99_ms"
            case latencyMaxMs = "latency_max_ms"
            case latencyLoadMsgsPerS = "latency_load_msgs_per_s"
            case latencyUnhandled = "latency_unhandled_messages"
            case latencyRedelivered = "latency_redelivered_messages"
            case consumeOneWorkerHandled = "consume_one_worker_handled_messages"
            case consumeTwoWorkersHandled = "consume_two_workers_handled_messages"
            case messages
            case payloadBytes = "payload_bytes"
        }
    }
}
