import CompressNIO
import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipService
import NIOCore
import Testing
@testable import IngestionService

struct GzipBodyTests {
    /// `printf 'hello\n' | gzip -n`, made by the gzip tool rather than by the library under test.
    static let helloFromGzipTool: [UInt8] = [
        0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xCB, 0x48, 0xCD, 0xC9, 0xC9, 0xE7,
        0x02, 0x00, 0x20, 0x30, 0x3A, 0x36, 0x06, 0x00, 0x00, 0x00,
    ]

    /// Text that does not repeat in short cycles, so it spans several inflation windows even compressed.
    static func sampleText(bytes: Int) -> [UInt8] {
        var text: [UInt8] = []
        var index = 0
        while text.count < bytes {
            text += Array("{\"event\":\"Order \(index)\",\"total\":\(index * 7919 % 10007)}\n".utf8)
            index += 1
        }
        return Array(text.prefix(bytes))
    }

    static func gzip(_ bytes: [UInt8]) throws -> ByteBuffer {
        var buffer = ByteBuffer(bytes: bytes)
        return try buffer.compress(with: .gzip)
    }

    /// Gzip of `megabytes` MB of zeros, compressed a megabyte at a time so the test never holds the whole input.
    static func zeroBomb(megabytes: Int) throws -> ByteBuffer {
        let compressor = try ZlibCompressor(algorithm: .gzip, configuration: .init(compressionLevel: .bestCompression))
        let zeros = ByteBuffer(repeating: 0, count: 1 << 20)
        var compressed = ByteBuffer()
        for index in 0..<megabytes {
            var input = zeros
            let flush: CompressNIOFlush = index == megabytes - 1 ? .finish : .no
            while true {
                compressed.reserveCapacity(minimumWritableBytes: 64 * 1024)
                do {
                    try compressor.deflate(from: &input, to: &compressed, flush: flush)
                    if input.readableBytes == 0 { break }
                } catch let error as CompressNIOError where error == .bufferOverflow {
                    continue  // out of room before the end of the stream
                }
            }
        }
        return compressed
    }

    /// How far the resident memory peak rises above its level at the start of `body`, in bytes.
    ///
    /// Linux only (it resets the peak through `/proc/self/clear_refs`); nil elsewhere. The peak of the
    /// whole process would not do: loading the test bundle alone has already pushed it past 100 MB.
    static func residentPeakGrowth(during body: () -> Void) -> Int? {
        func status(_ field: String) -> Int? {
            guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
                  let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
                  let kilobytes = Int(line.dropFirst(field.count + 1).filter(\.isNumber))
            else { return nil }
            return kilobytes * 1024
        }
        guard (try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)) != nil,
              let before = status("VmRSS")
        else { return nil }
        body()
        return status("VmHWM").map { $0 - before }
    }

    func failure(_ body: ByteBuffer, limit: Int) -> KinshipError? {
        #expect(throws: KinshipError.self) { try GzipBody.inflate(body, limit: limit) }
    }

    @Test func bodyMadeByTheGzipToolInflates() throws {
        let inflated = try GzipBody.inflate(ByteBuffer(bytes: Self.helloFromGzipTool), limit: 100)
        #expect(String(buffer: inflated) == "hello\n")
    }

    @Test func largeBodyRoundTripsAcrossManyWindows() throws {
        let original = Self.sampleText(bytes: 1_000_000)
        let inflated = try GzipBody.inflate(try Self.gzip(original), limit: 2_000_000)
        #expect(Array(buffer: inflated) == original)
    }

    @Test func concatenatedMembersInflateOneAfterAnother() throws {
        var body = try Self.gzip(Array("first,".utf8))
        var second = ByteBuffer(bytes: Self.helloFromGzipTool)
        body.writeBuffer(&second)
        #expect(String(buffer: try GzipBody.inflate(body, limit: 100)) == "first,hello\n")
    }

    @Test func bodyOfExactlyTheLimitIsAcceptedAndOneByteMoreRefused() throws {
        let original = Self.sampleText(bytes: 200_000)
        #expect(try GzipBody.inflate(try Self.gzip(original), limit: 200_000).readableBytes == 200_000)
        let error = failure(try Self.gzip(original), limit: 199_999)
        #expect(error?.code == .batchTooLarge)
        #expect(error?.status == .contentTooLarge)
    }

    @Test func hundredMegabytesOfZerosAreRefusedEarlyInBoundedMemory() throws {
        let bomb = try Self.zeroBomb(megabytes: 100)
        #expect(bomb.readableBytes < 200_000)  // a real bomb: over 500 times smaller than what it inflates to

        var error: KinshipError?
        let started = ContinuousClock.now
        let growth = Self.residentPeakGrowth { error = failure(bomb, limit: 1024 * 1024) }
        #expect(ContinuousClock.now - started < .seconds(2))
        // Inflating it all would take over 100 MB; refusing at the limit takes about 1 MB.
        if let growth { #expect(growth < 40 * 1024 * 1024) }
        #expect(error?.code == .batchTooLarge)
        #expect(error?.status == .contentTooLarge)
        #expect(error?.message == "The body is larger than 1024 KB after decompression.")
    }

    @Test func truncatedBodyIsInvalid() throws {
        let whole = try Self.gzip(Self.sampleText(bytes: 10_000))
        for cut in [1, 4, 8, whole.readableBytes / 2] {
            let error = failure(whole.getSlice(at: whole.readerIndex, length: whole.readableBytes - cut)!, limit: 100_000)
            #expect(error?.code == .invalidGzip)
            #expect(error?.status == .badRequest)
        }
    }

    @Test(arguments: [
        Array("{\"batch\":[]}".utf8),  // plain JSON sent with Content-Encoding: gzip
        [],
        helloFromGzipTool + [0x00, 0x00, 0x00, 0x00],  // garbage after a valid member
        Array(helloFromGzipTool[0..<10]) + [0xFF] + Array(helloFromGzipTool[11...]),  // a damaged deflate block
    ])
    func corruptBodyIsInvalid(_ bytes: [UInt8]) {
        #expect(failure(ByteBuffer(bytes: bytes), limit: 100_000)?.code == .invalidGzip)
    }
}
