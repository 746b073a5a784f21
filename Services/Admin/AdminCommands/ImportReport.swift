import ArgumentParser
import Foundation
import KinshipCore
import KinshipDatabase
import KinshipInternalClient
import KinshipOutbox

/// The end of `kinship import`: the server's counts on standard output, refused rows on standard error.
struct ImportReport {
    let status: Int
    let body: Data

    func print() throws {
        guard status == 200, let summary = try? JSONCoding.decoder().decode(ImportSummary.self, from: body) else {
            let error = (try? JSONCoding.decoder().decode(ErrorBody.self, from: body))?.error
            let code = error?.code ?? "http_\(status)"
            let message = error?.message ?? String(decoding: body.prefix(500), as: UTF8.self)
            throw ValidationError("import refused (\(status) \(code)): \(message)")
        }
        Swift.print(
            "rows \(summary.rows), stored \(summary.stored), duplicates \(summary.duplicates), withheld by consent \(summary.withheld), refused \(summary.refused)"
        )
        for row in summary.refusedRows {
            AdminContext.note("line \(row.line): \(row.code) — \(row.message)")
        }
    }
}
