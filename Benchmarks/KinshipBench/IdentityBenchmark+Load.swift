import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import NIOCore
import PostgresNIO

/// Events rendered as ingestion stores them: their `events` rows in `COPY` text and their outbox references.
struct RenderedEvents: Sendable {
    var rows: ByteBuffer
    var drafts: [OutboxDraft]

    mutating func append(_ other: RenderedEvents) {
        var more = other.rows
        rows.writeBuffer(&more)
        drafts += other.drafts
    }
}

extension IdentityBenchmark {
    /// Stores the whole stream as ingestion would have: `loadTransactionSize` events per transaction, in
    /// the stream's order (so the bus delivers each person's events in order), the next transaction's
    /// events rendered and sealed while the current one is written. Not a measure of anything but the
    /// set-up; returns how long it took. Vacuums and analyses the tables afterwards (not timed), so each
    /// resolution run starts from the same state.
    func load(_ stream: IdentityStream, _ bench: IdentityBenchWorkspace, _ database: PostgresClient, base: Date) async throws -> Duration {
        let size = configuration.loadTransactionSize
        let total = stream.events.count
        let chunks = stride(from: 0, to: total, by: size).map { $0..<min($0 + size, total) }
        progress("load: \(total) events and their outbox references, \(size) per transaction")
        let start = ContinuousClock.now
        var current = try await render(chunks.first, stream, bench, base: base)
        var reported = 0
        var writing = Duration.zero
        for index in chunks.indices {
            guard let rendered = current else { break }
            async let next = render(chunks.indices.contains(index + 1) ? chunks[index + 1] : nil, stream, bench, base: base)
            let writeStart = ContinuousClock.now
            try await bench.write(rows: rendered.rows, drafts: rendered.drafts, database, logger: logger)
            writing += .now - writeStart
            let stored = chunks[index].upperBound
            if stored * 10 / total > reported {
                reported = stored * 10 / total
                progress("  \(stored) events stored, \(Int(perSecond(stored, .now - start))) events/s")
            }
            current = try await next
        }
        let duration = ContinuousClock.now - start
        // Writing and the next transaction's rendering overlap: the rest of the time is rendering alone.
        progress(String(format: "  loaded in %.1f s (%.1f s writing, %.1f s waiting for rendering); VACUUM (ANALYZE) and CHECKPOINT, not timed",
                        duration.inMilliseconds / 1000, writing.inMilliseconds / 1000, (duration - writing).inMilliseconds / 1000))
        try await database.query("VACUUM (ANALYZE) events, outbox", logger: logger)
        await checkpoint(database)
        return duration
    }

    /// The stream's events in `range` (none: nil), made and sealed on two cores at once.
    private func render(_ range: Range<Int>?, _ stream: IdentityStream, _ bench: IdentityBenchWorkspace, base: Date) async throws -> RenderedEvents? {
        guard let range else { return nil }
        let middle = range.lowerBound + range.count / 2
        async let first = Self.renderPart(range.lowerBound..<middle, stream, bench, base: base)
        let second = try Self.renderPart(middle..<range.upperBound, stream, bench, base: base)
        var all = try await first
        all.append(second)
        return all
    }

    private static func renderPart(_ range: Range<Int>, _ stream: IdentityStream, _ bench: IdentityBenchWorkspace, base: Date) throws -> RenderedEvents {
        var rows = ByteBuffer()
        rows.reserveCapacity(range.count * 1400)
        var drafts: [OutboxDraft] = []
        drafts.reserveCapacity(range.count)
        for n in range {
            let time = Timestamp.format(base.addingTimeInterval(Double(n) / 1000))
            let event = stream.event(n, messageId: streamPrefix + String(n), receivedAt: time, eventTime: time)
            drafts.append(try bench.store(event, into: &rows))
        }
        return RenderedEvents(rows: rows, drafts: drafts)
    }
}
