import CSV
import Foundation
import Hummingbird
import KinshipCore

/// A table as a CSV download a spreadsheet opens: UTF-8 with a byte-order mark (so Excel reads Thai text as
/// UTF-8), a header row, CRLF line ends and RFC 4180 quoting (CSV.swift's writer quotes a field holding a
/// comma, a quote or a line break, and doubles its quotes).
enum CSVResponse {
    static func make(_ table: ReportTable, filename: String) throws -> Response {
        let stream = OutputStream(toMemory: ())
        let writer = try CSVWriter(stream: stream, newline: .crlf)
        try writer.write(row: table.columns)
        for row in table.rows { try writer.write(row: row) }
        writer.stream.close()
        guard let written = stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data else {
            throw KinshipError(code: .internalError, status: .internalServerError, message: "The CSV could not be written.")
        }
        var bytes = Data([0xEF, 0xBB, 0xBF])
        bytes.append(written)
        bytes.append(contentsOf: [0x0D, 0x0A])
        return Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(filename)\""],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }
}
