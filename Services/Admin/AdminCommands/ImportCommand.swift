import ArgumentParser
import AsyncHTTPClient
import Foundation

/// `kinship import FILE`: streams historical data to ingestion's `POST /v1/import`.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Stream a file of historical data (NDJSON of Segment messages, or CSV) to ingestion.",
        discussion: """
            The file streams in constant memory and the server commits every 1,000 rows, so a file of any size \
            works; running the same file again stores each row once. CSV needs a column mapping, e.g.
              kinship import orders.csv --map event="Order Completed" --map user_id_column=customer \\
                --map timestamp_column=placed_at --map number_columns=total
            Reads KINSHIP_INGESTION_URL and KINSHIP_WRITE_KEY when the options are not given. Prefer \
            KINSHIP_WRITE_KEY or --write-key-file to --write-key: any user's process listing shows a command line.
            """
    )

    @Argument(help: "The file: .csv is read as CSV, anything else as NDJSON (see --format).")
    var file: String

    @Option(help: "Ingestion's base URL (default: KINSHIP_INGESTION_URL, else http://127.0.0.1:8080).")
    var url: String?

    @Option(help: "The source's write key (default: KINSHIP_WRITE_KEY). Visible in process listings: prefer the variable or --write-key-file.")
    var writeKey: String?

    @Option(help: "A file holding the source's write key, or - for standard input.")
    var writeKeyFile: String?

    @Option(help: "ndjson or csv (default: from the file name).")
    var format: String?

    @Option(name: .customLong("map"), help: "A CSV mapping parameter as key=value (type, event, event_column, user_id_column, …); repeatable.")
    var mappings: [String] = []

    func validate() throws {
        guard writeKey == nil || writeKeyFile == nil else { throw ValidationError("give --write-key or --write-key-file, not both") }
    }

    func run() async throws {
        let endpoint = try IngestionEndpoint(url: url, writeKey: writeKey, writeKeyFile: writeKeyFile)
        let format: ImportUpload.Format
        if let given = self.format {
            guard let known = ImportUpload.Format(rawValue: given.lowercased()) else { throw ValidationError("--format must be ndjson or csv") }
            format = known
        } else {
            format = file.lowercased().hasSuffix(".csv") ? .csv : .ndjson
        }
        guard FileManager.default.isReadableFile(atPath: file) else { throw ValidationError("cannot read \(file)") }
        let upload = ImportUpload(endpoint: endpoint, path: file, format: format, mapping: try mappings.map(Self.queryItem))

        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let answer: HTTPAnswer
        do {
            answer = try await upload.run(on: client)
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw ValidationError("could not reach ingestion at \(endpoint.base): \(error)")
        }
        try ImportReport(answer).print()
    }

    static func queryItem(_ mapping: String) throws -> URLQueryItem {
        guard let equals = mapping.firstIndex(of: "="), equals != mapping.startIndex else {
            throw ValidationError("--map takes key=value, got '\(mapping)'")
        }
        return URLQueryItem(name: String(mapping[..<equals]), value: String(mapping[mapping.index(after: equals)...]))
    }
}
