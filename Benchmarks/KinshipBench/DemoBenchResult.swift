import Foundation
import KinshipCore

/// The demo benchmark's figures: a table, one JSON line, and what would make them invalid.
struct DemoBenchResult: Sendable {
    let configuration: DemoBenchConfiguration
    let small: DemoBenchmark.Written
    let large: DemoBenchmark.Written
    let copySeconds: Double
    let sendShop: DemoBenchmark.Written
    let http: DemoBenchmark.HTTPMeasures

    static let filesGoal = 100_000.0

    var filesRate: Double { Double(large.events) / large.run.seconds }
    var filesMBPerS: Double { Double(large.bytes) / 1_048_576 / large.run.seconds }
    var copyMBPerS: Double { Double(large.bytes) / 1_048_576 / copySeconds }
    var sendRate: Double { Double(sendShop.events) / http.send.seconds }
    var importRate: Double { Double(http.importedLines) / http.importRun.seconds }
    func mb(_ kb: Int) -> Double { Double(kb) / 1024 }

    var problems: [String] {
        var problems: [String] = []
        // Retries are stored once: the send stores what the import of the same file stores, plus the store rows.
        if http.sendStored != http.importStored + http.posRows {
            problems.append("send stored \(http.sendStored) events, the import of the same shop \(http.importStored) plus \(http.posRows) store rows")
        }
        if http.serviceExitStatus != 0 { problems.append("ingestion exited with \(http.serviceExitStatus.map(String.init) ?? "no status (killed)")") }
        return problems
    }

    var table: String {
        TextTable.figures([
            ["demo write, \(grouped(configuration.customers)) customers: events/s", grouped(filesRate), "≥ \(grouped(Self.filesGoal))", filesRate >= Self.filesGoal ? "met" : "MISSED"],
            ["  MB/s written, and copying the file (reference)", String(format: "%.0f / %.0f", filesMBPerS, copyMBPerS), "", ""],
            ["  events written", grouped(large.events), "", ""],
            ["  peak memory, \(grouped(configuration.customers / 10)) and \(grouped(configuration.customers)) customers (MB)",
             String(format: "%.0f / %.0f", mb(small.run.peakResidentKB), mb(large.run.peakResidentKB)), "constant", ""],
            ["demo send, \(grouped(configuration.sendCustomers)) customers: events/s", grouped(sendRate), "", ""],
            ["  kinship import of the same events (reference): events/s", grouped(importRate), "", ""],
            ["  stored by send / by the import + store rows", "\(grouped(http.sendStored)) / \(grouped(http.importStored + http.posRows))", "equal", problems.isEmpty ? "ok" : "NOT VALID"],
            ["  peak memory of demo send (MB)", String(format: "%.0f", mb(http.send.peakResidentKB)), "", ""],
        ]).rendered
    }

    func jsonLine() throws -> String {
        func round(_ value: Double, _ places: Double = 100) -> Double { (value * places).rounded() / places }
        let figures = Figures(
            filesEventsPerS: filesRate.rounded(), filesMbPerS: round(filesMBPerS), copyMbPerS: round(copyMBPerS),
            ratioToCopy: round(filesMBPerS / copyMBPerS, 1000), filesEvents: large.events,
            rssSmallMb: round(mb(small.run.peakResidentKB)), rssLargeMb: round(mb(large.run.peakResidentKB)),
            sendEventsPerS: sendRate.rounded(), importEventsPerS: importRate.rounded(), ratioSendToImport: round(sendRate / importRate, 1000),
            sendEvents: sendShop.events, sendStoredEvents: http.sendStored, rssSendMb: round(mb(http.send.peakResidentKB)),
            customers: configuration.customers, sendCustomers: configuration.sendCustomers
        )
        let encoder = JSONCoding.encoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase  // filesEventsPerS → files_events_per_s
        return String(decoding: try encoder.encode(figures), as: UTF8.self)
    }

    private struct Figures: Encodable {
        let filesEventsPerS: Double
        let filesMbPerS: Double
        let copyMbPerS: Double
        let ratioToCopy: Double
        let filesEvents: Int
        let rssSmallMb: Double
        let rssLargeMb: Double
        let sendEventsPerS: Double
        let importEventsPerS: Double
        let ratioSendToImport: Double
        let sendEvents: Int
        let sendStoredEvents: Int
        let rssSendMb: Double
        let customers: Int
        let sendCustomers: Int
    }
}
