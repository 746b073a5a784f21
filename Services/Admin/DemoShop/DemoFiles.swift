import Dispatch
import Foundation

/// `kinship demo write`: the shop as files other tools (and `kinship import`) read.
public enum DemoFiles {
    public struct Summary: Sendable {
        /// Messages in events.ndjson (each retry included, as sent), rows in pos.csv, and bytes written.
        public var messages = 0
        public var posRows = 0
        public var bytes = 0
    }

    /// Households made per task: enough to keep a thread busy, few enough that a window of them stays small.
    static let householdsPerChunk = 64

    /// Writes `events.ndjson` (every message in sending order, one per line; e-mail opens included, which
    /// `send` delivers through the pixel) and `pos.csv` (the point-of-sale export) into `directory`.
    ///
    /// Households are independent, so windows of them are made on every core and written in order: the
    /// files are the same bytes as one thread would write, and memory stays one window whatever the shop's size.
    public static func write(_ shop: DemoShop, directory: String, threads: Int = 0) throws -> Summary {
        let events = try BufferedFileSink(path: directory + "/events.ndjson")
        let pos = try BufferedFileSink(path: directory + "/pos.csv")
        try pos.write(DemoShop.posHeader + "\n")
        let calendar = DemoCalendar(parameters: shop.parameters)
        let total = shop.householdCount
        let threads = threads > 0 ? threads : max(1, ProcessInfo.processInfo.activeProcessorCount)
        let chunks = (total + householdsPerChunk - 1) / householdsPerChunk
        var summary = Summary()
        var firstChunk = 0
        while firstChunk < chunks {
            let window = min(2 * threads, chunks - firstChunk)
            let rendered = Slots(count: window)
            defer { _ = rendered.buffer.deinitialize(); rendered.buffer.deallocate() }
            let first = firstChunk
            DispatchQueue.concurrentPerform(iterations: window) { offset in
                let start = (first + offset) * householdsPerChunk
                // Each iteration writes its own slot only.
                rendered.buffer[offset] = render(shop, households: start..<min(start + householdsPerChunk, total), calendar: calendar)
            }
            for chunk in rendered.buffer {
                try events.write(chunk.events)
                try pos.write(chunk.pos)
                summary.messages += chunk.messages
                summary.posRows += chunk.posRows
            }
            firstChunk += window
        }
        try events.close()
        try pos.close()
        summary.bytes = events.bytesWritten + pos.bytesWritten
        return summary
    }

    /// One slot per task of a window, each written by its task alone and read after all have finished.
    private struct Slots: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<Rendered>

        init(count: Int) {
            buffer = .allocate(capacity: count)
            buffer.initialize(repeating: Rendered())
        }
    }

    private struct Rendered {
        var events: [UInt8] = []
        var pos: [UInt8] = []
        var messages = 0
        var posRows = 0
    }

    private static func render(_ shop: DemoShop, households: Range<Int>, calendar: DemoCalendar) -> Rendered {
        var rendered = Rendered()
        rendered.events.reserveCapacity(households.count * 64 * 1024)
        for index in households {
            let household = shop.household(index, calendar: calendar)
            for message in household.messages {
                rendered.events.append(contentsOf: message.json)
                rendered.events.append(UInt8(ascii: "\n"))
            }
            for row in household.posRows {
                rendered.pos.append(contentsOf: row.utf8)
                rendered.pos.append(UInt8(ascii: "\n"))
            }
            rendered.messages += household.messages.count
            rendered.posRows += household.posRows.count
        }
        return rendered
    }
}

