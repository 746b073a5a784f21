import ArgumentParser
import Foundation
import Shared

/// The end of `kinship import`: the server's counts on standard output, refused rows on standard error.
struct ImportReport {
    let status: Int
    let body: Data

    func print() throws {
        let json = try? JSONCoding.decode([String: JSONValue].self, from: body)
        guard status == 200, let json else {
            let error = json?["error"]
            let code = error?["code"]?.stringValue ?? "http_\(status)"
            let message = error?["message"]?.stringValue ?? String(decoding: body.prefix(500), as: UTF8.self)
            throw ValidationError("import refused (\(status) \(code)): \(message)")
        }
        func count(_ key: String) -> Int { Int(json[key]?.numberValue ?? 0) }
        Swift.print("rows \(count("rows")), stored \(count("stored")), duplicates \(count("duplicates")), withheld by consent \(count("withheld")), refused \(count("refused"))")
        for row in json["refusedRows"]?.arrayValue ?? [] {
            let line = Int(row["line"]?.numberValue ?? 0)
            AdminContext.note("line \(line): \(row["code"]?.stringValue ?? "") — \(row["message"]?.stringValue ?? "")")
        }
    }
}
