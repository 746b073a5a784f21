import Foundation
import KinshipCore

/// The end of an import: the server's counts on standard output, refused rows on standard error.
struct ImportReport {
    let answer: HTTPAnswer

    init(_ answer: HTTPAnswer) {
        self.answer = answer
    }

    /// The server's counts, or the reason it refused the import.
    func summary() throws -> ImportSummary {
        guard answer.status == 200, let summary = try? JSONCoding.decoder().decode(ImportSummary.self, from: answer.body) else {
            throw ImportRefused(answer: answer)
        }
        return summary
    }

    func print() throws {
        let summary = try summary()
        Swift.print(
            "rows \(summary.rows), stored \(summary.stored), duplicates \(summary.duplicates), withheld by consent \(summary.withheld), refused \(summary.refused)"
        )
        Self.noteRefusedRows(summary)
    }

    static func noteRefusedRows(_ summary: ImportSummary) {
        for row in summary.refusedRows {
            AdminContext.note("line \(row.line): \(row.code) — \(row.message)")
        }
    }
}

/// Ingestion refused an import, or broke it off: its status, code and message.
struct ImportRefused: Error, CustomStringConvertible {
    let answer: HTTPAnswer

    var description: String { "import refused \(answer.refusal)" }
}
