import CSV
import Foundation
import Hummingbird
import KinshipCore

/// A table as a CSV download a spreadsheet opens: UTF-8 with a byte-order mark (so Excel reads Thai text as
/// UTF-8), a header row, CRLF line ends and RFC 4180 quoting (CSV.swift's writer quotes a field holding a
/// comma, a quote or a line break, and doubles its quotes).
///
/// Cells hold text anyone with a write key can send (campaign names, categories, property values), and a
/// spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula: such a cell, unless it is a
/// number, is written with a leading `'`, which spreadsheets show as text.
enum CSVResponse {
    static func neutralised(_ cell: String) -> String {
        guard let first = cell.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), Double(cell) == nil else { return cell }
        return "'" + cell
    }

    static func make(_ table: ReportTable, filename: String) throws -> Response {
        let stream = OutputStream(toMemory: ())
        let writer = try CSVWriter(stream: stream, newline: .crlf)
        try writer.write(row: table.columns.map(neutralised))
        for row in table.rows { try writer.write(row: row.map(neutralised)) }
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
