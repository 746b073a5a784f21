import ArgumentParser
import AsyncHTTPClient
import Foundation
import KinshipCore
import KinshipDatabase
import KinshipInternalClient
import KinshipOutbox
import KinshipPrivacy
import NIOCore

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
        let environment = KinshipCore.Environment()
        guard let writeKey = try writeKey ?? writeKeyFile.map(Self.readWriteKey) ?? environment.optional("KINSHIP_WRITE_KEY") else {
            throw ValidationError("give the source's write key in KINSHIP_WRITE_KEY, --write-key-file or --write-key")
        }
        let base = url ?? environment.optional("KINSHIP_INGESTION_URL") ?? "http://127.0.0.1:8080"
        let format = format?.lowercased() ?? (file.lowercased().hasSuffix(".csv") ? "csv" : "ndjson")
        guard ["csv", "ndjson"].contains(format) else { throw ValidationError("--format must be ndjson or csv") }
        var query = URLComponents()
        query.queryItems = [URLQueryItem(name: "format", value: format)] + (try mappings.map(Self.queryItem))
        guard let handle = FileHandle(forReadingAtPath: file) else { throw ValidationError("cannot read \(file)") }
        defer { try? handle.close() }
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0

        var request = HTTPClientRequest(url: base.trimmingSuffix("/") + "/v1/import?" + (query.percentEncodedQuery ?? ""))
        request.method = .POST
        request.headers.add(name: "Authorization", value: basicAuthorization(user: writeKey))
        request.headers.add(name: "Content-Type", value: format == "csv" ? "text/csv" : "application/x-ndjson")
        let progress = ImportProgress(totalBytes: size, headerLines: format == "csv" ? 1 : 0)
        request.body = .stream(FileChunks(handle: handle, progress: progress), length: .known(Int64(size)))

        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let (status, body): (Int, ByteBuffer)
        do {
            let response = try await client.execute(request, timeout: .hours(24))
            status = Int(response.status.code)
            body = try await response.body.collect(upTo: 4 * 1024 * 1024)
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            progress.finish()
            throw ValidationError("could not reach ingestion at \(base): \(error)")
        }
        progress.finish()
        try ImportReport(status: status, body: Data(buffer: body)).print()
    }

    /// The write key in `path` (`-`: standard input), without the line break editors and `echo` add.
    static func readWriteKey(from path: String) throws -> String {
        let handle = path == "-" ? FileHandle.standardInput : FileHandle(forReadingAtPath: path)
        guard let data = try handle?.readToEnd(), let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("cannot read a write key from \(path)")
        }
        let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !key.isEmpty else { throw ValidationError("\(path) holds no write key") }
        return key
    }

        static func queryItem(_ mapping: String) throws -> URLQueryItem {
        guard let equals = mapping.firstIndex(of: "="), equals != mapping.startIndex else {
            throw ValidationError("--map takes key=value, got '\(mapping)'")
        }
        return URLQueryItem(name: String(mapping[..<equals]), value: String(mapping[mapping.index(after: equals)...]))
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}

/// The file as a stream of 256 KB buffers, counting what was read for the progress bar.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let handle: FileHandle
    let progress: ImportProgress

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle
        let progress: ImportProgress

        mutating func next() async throws -> ByteBuffer? {
            guard let data = try handle.read(upToCount: 256 * 1024), !data.isEmpty else { return nil }
            progress.sent(data)
            return ByteBuffer(bytes: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(handle: handle, progress: progress) }
}

extension FileHandle: @retroactive @unchecked Sendable {}
