import Foundation
import KinshipCore

/// The privacy benchmark's figures, rendered as a table for people and one JSON line for tools.
struct PrivacyBenchResult: Sendable {
    static let erasureP99GoalSeconds = 60.0
    static let batchGoalSeconds = 600.0
    static let ingestionRatioGoal = 0.95

    let configuration: PrivacyBenchConfiguration
    let load: ShopLoad
    let evaluated: Int
    /// Stored refusals (identifier × category) in force in the shop's workspace.
    let refusals: Int
    let erasures: ErasureMeasure
    let suppressed: Int
    let ingestion: IngestionConsentMeasure

    /// Figures that would not measure what they claim.
    var problems: [String] {
        var problems: [String] = []
        if erasures.rowsLeft > 0 { problems.append("\(erasures.rowsLeft) rows of erased profiles are left") }
        for (name, load) in [("with consent", ingestion.withConsent), ("without", ingestion.without)] where load.failedRequests > 0 {
            problems.append("ingestion \(name): \(load.failedRequests) failed requests (\(load.failures.joined(separator: "; ")))")
        }
        return problems
    }

    var table: String {
        let c = configuration
        let e = erasures
        let seconds = { (value: Double) in String(format: "%.1f s", value) }
        var lines = [
            "Privacy benchmark: release identity, segmentation, reporting and ingestion as child processes, durable cluster, "
                + "\(ProcessInfo.processInfo.activeProcessorCount) cores shared with Postgres and the load",
            "shop: \(grouped(c.customers)) customers over \(c.days) days (seed \(c.seed)): \(grouped(load.profiles)) profiles, \(grouped(load.events)) events, "
                + "\(grouped(evaluated)) evaluated by segmentation, \(grouped(refusals)) stored refusals in force",
            "erasures: \(grouped(e.requests)) customers asked at once (8 requests in flight), \(grouped(e.profiles)) profiles; "
                + "then \(grouped(suppressed)) suppressions; then ingestion in \(c.ingestionRounds) alternating rounds per workspace",
            "",
        ]
        lines += TextTable.figures([
            ["erasure, per request p50", seconds(e.p50), "", ""],
            ["erasure, per request p99", seconds(e.p99), "< \(seconds(Self.erasureP99GoalSeconds))", e.p99 < Self.erasureP99GoalSeconds ? "met" : "missed"],
            ["erasure, per request max", seconds(e.max), "", ""],
            ["erasures, the whole batch", seconds(e.batch), "< \(seconds(Self.batchGoalSeconds))", e.batch < Self.batchGoalSeconds ? "met" : "missed"],
            ["asking for them (POST, 8 in flight)", seconds(e.askedIn.inMilliseconds / 1000), "", ""],
            ["rows of erased profiles left", grouped(e.rowsLeft), "0", e.rowsLeft == 0 ? "met" : "missed"],
            ["ingestion, stored consent and suppression in force", "\(grouped(ingestion.withConsent.rate)) events/s", "", ""],
            ["reference: ingestion, a workspace with none", "\(grouped(ingestion.without.rate)) events/s", "", ""],
            ["with / without", String(format: "%.3f", ingestion.ratio), String(format: "≥ %.2f", Self.ingestionRatioGoal),
             ingestion.ratio >= Self.ingestionRatioGoal ? "met" : "missed"],
        ]).lines
        return lines.joined(separator: "\n")
    }

    func jsonLine() throws -> String {
        func round(_ value: Double, _ places: Double = 100) -> Double { (value * places).rounded() / places }
        let figures: [String: JSONValue] = [
            "customers": .number(Double(configuration.customers)), "profiles": .number(Double(load.profiles)), "events": .number(Double(load.events)),
            "refusals": .number(Double(refusals)), "erasures": .number(Double(erasures.requests)), "suppressions": .number(Double(suppressed)),
            "erase_p50_s": .number(round(erasures.p50)), "erase_p99_s": .number(round(erasures.p99)), "erase_max_s": .number(round(erasures.max)),
            "erase_batch_s": .number(round(erasures.batch)), "erase_rows_left": .number(Double(erasures.rowsLeft)),
            "ingest_with_consent_events_per_s": .number(ingestion.withConsent.rate.rounded()),
            "ingest_without_events_per_s": .number(ingestion.without.rate.rounded()),
            "ingest_ratio_with_to_without": .number(round(ingestion.ratio, 1000)),
        ]
        return JSONValue.object(figures).serialized()
    }
}
