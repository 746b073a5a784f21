import CompressNIO
import KinshipCore
import KinshipOutbox
import KinshipPrivacy
import NIOCore

/// Inflates a `Content-Encoding: gzip` request body without ever holding more than the limit.
///
/// A few kilobytes of gzip can stand for gigabytes of zeros, so the output is produced a window at a time and
/// refused as soon as it passes the limit: at most `limit` plus one window is ever inflated.
enum GzipBody {
    /// How much is inflated per step, and so how far past the limit inflation can go before it is refused.
    static let window = 64 * 1024

    /// The decompressed body; throws `batch_too_large` (413) past `limit` bytes, `invalid_gzip` (400) when it is
    /// not a complete gzip stream. Concatenated gzip members, which `gzip` itself accepts, are read one after another.
    static func inflate(_ body: ByteBuffer, limit: Int) throws -> ByteBuffer {
        var input = body
        guard input.readableBytes > 0 else { throw invalidGzip }
        let decompressor = try ZlibDecompressor(algorithm: .gzip)
        var output = ByteBufferAllocator().buffer(capacity: min(limit, max(input.readableBytes * 4, 4096)))
        var chunk = ByteBufferAllocator().buffer(capacity: window)

        while true {
            let inputWasEmpty = input.readableBytes == 0
            chunk.clear()
            var returned = true
            do {
                try decompressor.inflate(from: &input, to: &chunk)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                returned = false  // the chunk is full; more to come
            } catch let error as CompressNIOError where error == .corruptData || error == .inputBufferOverflow {
                // inputBufferOverflow: the input ran out before the stream's end, a truncated body.
                throw invalidGzip
            }
            let produced = chunk.readableBytes
            guard output.readableBytes + produced <= limit else { throw tooLarge(limit: limit) }
            output.writeBuffer(&chunk)

            guard returned else { continue }
            if inputWasEmpty && produced == 0 {
                // zlib reports progress or an error; a call with no input and no output that returns
                // normally can only be the end of the stream, confirmed.
                return output
            }
            if input.readableBytes > 0 {
                // The stream ended before the input did: another gzip member follows (or garbage, refused by zlib).
                try decompressor.reset()
            }
            // Otherwise the input is used up, and the next round, with none, tells the stream's end from a truncation.
        }
    }

    static let invalidGzip = KinshipError.badRequest(.invalidGzip, "The body is not valid gzip.")

    static func tooLarge(limit: Int) -> KinshipError {
        let size = limit >= 1024 ? "\(limit / 1024) KB" : "\(limit) bytes"
        return KinshipError(
            code: .batchTooLarge, status: .contentTooLarge, message: "The body is larger than \(size) after decompression."
        )
    }
}
