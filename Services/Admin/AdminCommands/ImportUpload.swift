import AsyncHTTPClient
import Foundation
import NIOCore

/// One `POST /v1/import` of a file, streamed in constant memory with a progress bar on a terminal: what
/// `kinship import` does, and `kinship demo send` with its point-of-sale rows.
struct ImportUpload: Sendable {
    enum Format: String, Sendable {
        case ndjson, csv
    }

    let endpoint: IngestionEndpoint
    let path: String
    let format: Format
    /// CSV mapping parameters (`event_column`, `number_columns`, …); `format` is added.
    let mapping: [URLQueryItem]

    /// Sends the file and reads the answer; throws when ingestion cannot be reached.
    func run(on client: HTTPClient) async throws -> HTTPAnswer {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ImportUploadError.unreadable(path) }
        defer { try? handle.close() }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        var query = URLComponents()
        query.queryItems = [URLQueryItem(name: "format", value: format.rawValue)] + mapping

        var request = HTTPClientRequest(url: endpoint.base + "/v1/import?" + (query.percentEncodedQuery ?? ""))
        request.method = .POST
        request.headers.add(name: "Authorization", value: endpoint.authorization)
        request.headers.add(name: "Content-Type", value: format == .csv ? "text/csv" : "application/x-ndjson")
        let progress = ImportProgress(totalBytes: size, headerLines: format == .csv ? 1 : 0)
        request.body = .stream(FileChunks(handle: handle, progress: progress), length: .known(Int64(size)))
        defer { progress.finish() }
        return try await HTTPAnswer.execute(request, on: client, timeout: .hours(24))
    }
}

enum ImportUploadError: Error, CustomStringConvertible {
    case unreadable(String)

    var description: String {
        switch self {
        case .unreadable(let path): "cannot read \(path)"
        }
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
