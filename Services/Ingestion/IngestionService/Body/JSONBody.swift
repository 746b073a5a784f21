import Foundation
import Hummingbird
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import NIOCore

/// Reading a request's body at ingestion: Segment's size limit (after gunzip), gzip.
enum JSONBody {
    /// The body's bytes, inflated when `Content-Encoding: gzip`, refused over `limit` bytes either way.
    /// Whatever the Content-Type, they are read as JSON: browsers' sendBeacon sends JSON as text/plain.
    static func read(_ request: Request, limit: Int) async throws -> [UInt8] {
        var request = request
        let tooLarge = KinshipError(
            code: .batchTooLarge, status: .contentTooLarge,
            message: "A request body may be at most \(limit / 1024) KB (after decompression)."
        )
        var body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge
        } catch is NIOTooManyBytesError {
            throw tooLarge
        }
        switch request.headers[.contentEncoding]?.lowercased() {
        case nil, "identity":
            break
        case "gzip", "x-gzip":
            body = try GzipBody.inflate(body, limit: limit)
        case let other?:
            throw KinshipError(
                code: .unsupportedEncoding, status: .unsupportedMediaType,
                message: "Content-Encoding '\(other.prefix(20))' is not supported; send gzip or no encoding."
            )
        }
        return Array(body.readableBytesView)
    }
}
