// `kinship-bench NAME`: benchmarks that print figures, release-built and run by `scripts/bench NAME`
// against a fresh, durable cluster. Standard output carries only the result (a table, then one JSON line
// as the very last line); progress and logs go to standard error.
import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import Logging

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .warning
    return handler
}

let benchmarks = ["outbox", "ingestion", "identity", "demo", "segmentation", "reporting", "privacy"]
let name = CommandLine.arguments.dropFirst().first ?? ""
do {
    switch name {
    case "outbox":
        try await OutboxBenchmark(configuration: OutboxBenchConfiguration(KinshipCore.Environment())).run()
    case "ingestion":
        try await IngestionBenchmark(configuration: IngestionBenchConfiguration(KinshipCore.Environment())).run()
    case "identity":
        try await IdentityBenchmark(configuration: IdentityBenchConfiguration(KinshipCore.Environment())).run()
    case "demo":
        try await DemoBenchmark(configuration: DemoBenchConfiguration(KinshipCore.Environment())).run()
    case "segmentation":
        try await SegmentationBenchmark(configuration: SegmentationBenchConfiguration(KinshipCore.Environment())).run()
    case "reporting":
        try await ReportingBenchmark(configuration: ReportingBenchConfiguration(KinshipCore.Environment())).run()
    case "privacy":
        try await PrivacyBenchmark(configuration: PrivacyBenchConfiguration(KinshipCore.Environment())).run()
    case "outbox-worker":
        // Not a benchmark: the child process the outbox benchmark starts for its two-worker measure.
        try await OutboxBenchWorker.run(KinshipCore.Environment())
    default:
        progress("usage: kinship-bench NAME, where NAME is one of: \(benchmarks.joined(separator: ", "))")
        exit(64)
    }
} catch let error as ConfigurationError {
    progress("kinship-bench: \(error)")
    exit(78)
} catch {
    progress("kinship-bench \(name) failed: \(String(reflecting: error))")
    exit(1)
}
