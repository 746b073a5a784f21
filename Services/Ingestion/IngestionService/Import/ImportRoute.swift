import Foundation
import Hummingbird
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipService

/// `POST /v1/import`: historical data as NDJSON of Segment messages or as CSV with a column mapping in
/// the query. The body streams in constant memory and commits in chunks of 1,000 rows.
struct ImportRoute: Sendable {
    let collector: Collector

    enum Format: String {
        case ndjson, csv
    }

    func add(to router: Router<KinshipRequestContext>) {
        router.post("v1/import") { request, context in try await importRows(request, context) }
    }

    private func importRows(_ request: Request, _ context: KinshipRequestContext) async throws -> Response {
        if let encoding = request.headers[.contentEncoding]?.lowercased(), encoding != "identity" {
            throw KinshipError(
                code: .unsupportedEncoding, status: .unsupportedMediaType,
                message: "Imports stream uncompressed bodies; send the file without Content-Encoding."
            )
        }
        guard let writeKey = WriteKey.fromAuthorization(request) else { throw SourceDirectory.missingWriteKey }
        let source = try await collector.authenticate(writeKey, request, context)
        guard source.source.kind.mayImport else {
            throw KinshipError(
                code: .sourceKindNotAllowed, status: .forbidden,
                message: "Only a server source may import; this is a \(source.source.kind.rawValue) source, whose key anyone may read."
            )
        }
        let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { first, _ in first })
        let format = try Self.format(query: query, contentType: request.headers[.contentType])
        var session = ImportSession(collector: collector, metadata: RequestMetadata.from(request, context, source: source, collector: collector))
        do {
            switch format {
            case .ndjson: try await readNDJSON(request.body, into: &session)
            case .csv: try await readCSV(request.body, query: query, into: &session)
            }
            try await session.finish()
        } catch let error as KinshipError where session.summary.rows > 0 && error.status.code < 500 {
            // The file broke off: say how far it got; what was committed stays (a re-run stores it once).
            throw KinshipError(
                code: error.code, status: error.status,
                message: "\(error.message) The import stopped there; \(session.summary.stored) rows before it were stored, and running it again stores each row once."
            )
        }
        return try .json(encoding: session.summary)
    }

    private func readNDJSON(_ body: RequestBody, into session: inout ImportSession) async throws {
        var splitter = LineSplitter(maximumBytes: IngestionLimits.messageBytes)
        for try await buffer in body {
            for line in splitter.feed(buffer.readableBytesView) { try await take(line, into: &session) }
        }
        for line in splitter.finish() { try await take(line, into: &session) }
    }

    private func take(_ line: LineSplitter.Line, into session: inout ImportSession) async throws {
        switch line {
        case .tooLong(let number):
            let error = KinshipError(
                code: .messageTooLarge, status: .contentTooLarge,
                message: "A message may be at most \(IngestionLimits.messageBytes / 1024) KB."
            )
            try await session.refuse(line: number, error, raw: .null)
        case .text(let bytes, let number):
            do {
                guard case .object(let message) = try JSONValue.parse(bytes) else {
                    throw KinshipError.badRequest(.invalidMessage, "Each line must be one JSON object.")
                }
                try await session.add(message, line: number)
            } catch let error as KinshipError where error.status == .badRequest {
                // Kept as text for the failed event; invalid UTF-8 shows there as U+FFFD.
                try await session.refuse(line: number, error, raw: .string(String(decoding: bytes, as: UTF8.self)))
            }
        }
    }

    private func readCSV(_ body: RequestBody, query: [String: String], into session: inout ImportSession) async throws {
        var reader = CSVRowReader(maximumRowBytes: IngestionLimits.messageBytes)
        var mapping: CSVImportMapping?
        func take(_ rows: [CSVRow]) async throws {
            for row in rows {
                guard let known = mapping else {
                    mapping = try CSVImportMapping(query: query, header: row.fields)
                    continue
                }
                do {
                    let message = try known.message(row: row.fields, line: row.line)
                    try await session.add(message, line: row.line, person: known.personKey(row: row.fields))
                } catch let error as KinshipError where error.status == .badRequest {
                    try await session.refuse(line: row.line, error, raw: .array(row.fields.map(JSONValue.string)))
                }
            }
        }
        for try await buffer in body { try await take(try reader.feed(buffer.readableBytesView)) }
        try await take(try reader.finish())
        guard mapping != nil else { throw KinshipError.badRequest(.csvMissingHeader, "The CSV body is empty: the first row must name the columns.") }
    }

    static func format(query: [String: String], contentType: String?) throws -> Format {
        if let name = query["format"] {
            guard let format = Format(rawValue: name.lowercased()) else {
                throw KinshipError.badRequest(.importInvalidParameter, "format must be ndjson or csv.")
            }
            return format
        }
        return contentType?.lowercased().hasPrefix("text/csv") == true ? .csv : .ndjson
    }
}
