import ArgumentParser
import Foundation
import KinshipDemoShop

/// `kinship demo`: a simulated online shop, to send to a running Kinship, write to files, or describe as
/// the ground truth the platform's conclusions are checked against.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Make a simulated shop's data: send it to ingestion, write it to files, or print its ground truth.",
        discussion: "The same --customers, --days, --seed and --end give the same shop, byte for byte, on every machine.",
        subcommands: [DemoSendCommand.self, Write.self, Truth.self]
    )

    struct Write: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the shop as files: its messages as NDJSON, its store purchases as CSV."
        )

        @OptionGroup var shop: DemoShopOptions

        @Option(help: "The folder to write into (made if missing).")
        var out: String

        func run() async throws {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let started = ContinuousClock.now
            let written = try DemoFiles.write(DemoShop(shop.parameters), directory: out)
            let seconds = max(ProgressFormat.seconds(.now - started), 0.001)
            let events = written.messages + written.posRows
            print("wrote \(out)/events.ndjson (\(written.messages) messages) and \(out)/pos.csv (\(written.posRows) rows)")
            print("events \(events), bytes \(written.bytes) in " + String(format: "%.1f s, %.0f events/s", seconds, Double(events) / seconds))
        }
    }

    struct Truth: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the shop's ground truth as one JSON document: its people, what each did, its totals per day."
        )

        @OptionGroup var shop: DemoShopOptions

        @Option(help: "A file to write it to (default: standard output).")
        var out: String?

        func run() async throws {
            var sink = try out.map { try BufferedFileSink(path: $0) } ?? BufferedFileSink(descriptor: STDOUT_FILENO)
            try DemoTruth.write(DemoShop(shop.parameters), to: &sink)
            try sink.close()
        }
    }
}

/// `kinship demo send`.
struct DemoSendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send the shop to ingestion through its HTTP API, as a shop's clients would.",
        discussion: """
            Messages go in POST /v1/batch bodies (up to 500 messages or 450 KB), e-mail opens through GET \
            /v1/pixel/track, and the store's purchases as one CSV file to POST /v1/import at the end, so the \
            write key must be a server source's. 429 and 5xx answers (honouring Retry-After) and connection \
            errors are retried with backoff; any other refusal stops the run. Message ids are the shop's own, so \
            sending the same shop again stores nothing twice. Reads KINSHIP_INGESTION_URL and KINSHIP_WRITE_KEY \
            when the options are not given.
            """
    )

    @OptionGroup var shop: DemoShopOptions

    @Option(help: "Events a second to send at most (default: as fast as ingestion takes them).")
    var rate: Double?

    @Option(help: "Ingestion's base URL (default: KINSHIP_INGESTION_URL, else http://127.0.0.1:8080).")
    var url: String?

    @Option(help: "A file holding a server source's write key, or - for standard input (default: KINSHIP_WRITE_KEY).")
    var writeKeyFile: String?

    @Option(help: "Requests in flight at once.")
    var concurrency = 4

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        if let rate { guard rate > 0, rate.isFinite else { throw ValidationError("--rate must be a positive number of events a second") } }
    }

    func run() async throws {
        let endpoint = try IngestionEndpoint(url: url, writeKeyFile: writeKeyFile)
        let sender = DemoSender(endpoint: endpoint, concurrency: concurrency, rate: rate)
        let summary = try await sender.send(DemoShop(shop.parameters))
        summary.lines.forEach { print($0) }
        for refusal in summary.counts.refusals {
            AdminContext.note("refused \(refusal.messageId ?? "message \(refusal.index)"): \(refusal.code) — \(refusal.message)")
        }
        if let pointOfSale = summary.pointOfSale { ImportReport.noteRefusedRows(pointOfSale) }
    }
}
