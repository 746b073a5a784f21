import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import NIOCore
import PostgresNIO

/// The reference: the batch measure's stored rows loaded again with `COPY … FROM STDIN`.
struct CopyMeasure: Sendable {
    let rows: Int
    let bytes: Int
    let duration: Duration

    var rate: Double { perSecond(rows, duration) }
}

extension IngestionBenchmark {
    /// Reads at most `rows` of the rows a load stored (as `COPY` text, before the clock starts) and times
    /// loading them into a plain copy of `events`, one `COPY` per connection, each in its own durable transaction.
    func measureCopy(of source: Source, rows limit: Int, _ database: PostgresClient) async throws -> CopyMeasure {
        let connections = configuration.copyConnections
        var text: [ByteBuffer] = []
        var chunk = ByteBuffer()
        var rows = 0
        for try await (workspace, receivedAt, messageId, sourceID, type, event, eventTime, message) in try await database.query(
            """
            SELECT workspace_id::text, received_at::text, message_id, source_id::text, type, event, event_time::text, message::text
            FROM events WHERE workspace_id = \(source.workspaceID) AND source_id = \(source.id) LIMIT \(limit)
            """,
            logger: logger
        ).decode((String, String, String, String, String, String?, String, String).self) {
            for (index, field) in [workspace, receivedAt, messageId, sourceID, type, event, eventTime, message].enumerated() {
                if index > 0 { chunk.writeString("\t") }
                Self.writeCopyField(field, to: &chunk)
            }
            chunk.writeString("\n")
            rows += 1
            if chunk.readableBytes >= 1 << 20 {
                text.append(chunk)
                chunk = ByteBuffer()
            }
        }
        if chunk.readableBytes > 0 { text.append(chunk) }
        let chunks = text
        let bytes = chunks.reduce(0) { $0 + $1.readableBytes }
        progress("reference: COPY of the \(rows) stored rows (\(bytes / 1_000_000) MB of COPY text), \(connections) connection(s)")

        try await database.query(PostgresQuery(unsafeSQL: "TRUNCATE \(Self.copyTable)"), logger: logger)
        await checkpoint(database)
        let logger = self.logger
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for connection in 0..<connections {
                group.addTask {
                    try await database.transaction(logger: logger) { transaction in
                        try await transaction.copyFrom(table: Self.copyTable, columns: Self.copyColumns, logger: logger) { writer in
                            for index in stride(from: connection, to: chunks.count, by: connections) {
                                try await writer.write(chunks[index])
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let duration = ContinuousClock.now - start

        let copied = try await database.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(Self.copyTable)"), logger: logger)
            .decode(Int.self).first(where: { _ in true }) ?? 0
        guard copied == rows else { throw BenchFailure("\(Self.copyTable) holds \(copied) rows after copying \(rows)") }
        progress("  \(Int(perSecond(rows, duration))) rows/s")
        try await database.query(PostgresQuery(unsafeSQL: "TRUNCATE \(Self.copyTable)"), logger: logger)
        return CopyMeasure(rows: rows, bytes: bytes, duration: duration)
    }

    /// One field in `COPY`'s text format: `\N` for NULL; backslash, tab, newline and carriage return escaped.
    static func writeCopyField(_ value: String?, to buffer: inout ByteBuffer) {
        guard let value else {
            buffer.writeString(#"\N"#)
            return
        }
        let special: (UInt8) -> Bool = { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
        guard value.utf8.contains(where: special) else {
            buffer.writeString(value)
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeString(#"\\"#)
            case UInt8(ascii: "\t"): buffer.writeString(#"\t"#)
            case UInt8(ascii: "\n"): buffer.writeString(#"\n"#)
            case UInt8(ascii: "\r"): buffer.writeString(#"\r"#)
            default: buffer.writeInteger(byte)
            }
        }
    }
}
