import AsyncHTTPClient
import Foundation
import KinshipCore
import KinshipDatabase
import KinshipTestSupport

extension ShopPlatform {
    /// A POST of the public API with `key` and a JSON body; any status.
    func reportingPost(_ path: String, body: [String: Any], key: String) async throws -> HTTPAnswer {
        var request = HTTPClientRequest(url: reportingURL + path)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(Array(try JSONSerialization.data(withJSONObject: body)))
        return try await HTTPAnswer.send(request, timeout: .seconds(60))
    }

    /// `POST /v1/batch` to the platform's ingestion with the shop's write key.
    func sendBatch(_ messages: [[String: Any]]) async throws -> HTTPAnswer {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(environment["KINSHIP_INGESTION_PORT"]!)/v1/batch")
        request.method = .POST
        request.headers.add(name: "Authorization", value: basicAuthorization(user: writeKey))
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(Array(try JSONSerialization.data(withJSONObject: ["batch": messages])))
        return try await HTTPAnswer.send(request, timeout: .seconds(30))
    }

    /// Which of `values` a `pg_dump --data-only` of the whole database holds, compared ignoring case (one
    /// pass of `grep -F` over the dump, however many values are looked for).
    func dumpHolds(_ values: [String]) async throws -> Set<String> {
        let pgDump = URL(fileURLWithPath: "/usr/lib/postgresql/15/bin/pg_dump")
        guard FileManager.default.isExecutableFile(atPath: pgDump.path) else { throw ShopPlatformError("pg_dump of PostgreSQL 15 is needed") }
        let url = try DatabaseURL(parsing: environment["KINSHIP_DATABASE_URL"]!)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kinship-dump-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let dumpFile = folder.appendingPathComponent("dump.sql"), patternFile = folder.appendingPathComponent("patterns")
        let dump = try await ChildProcess.run(
            pgDump, ["--data-only", "--no-owner", "-f", dumpFile.path, "-h", url.host, "-p", String(url.port), "-U", url.username, url.database],
            environment: ["PGPASSWORD": url.password ?? ""], inheriting: .all
        )
        guard dump.status == 0 else { throw ShopPlatformError("pg_dump failed: \(dump.error)") }
        try values.map { $0.lowercased() }.joined(separator: "\n").write(to: patternFile, atomically: true, encoding: .utf8)
        let grep = try await ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/grep"), ["-F", "-i", "-o", "-f", patternFile.path, dumpFile.path], environment: [:], inheriting: .all
        )
        // 1: nothing found.
        guard grep.status == 0 || grep.status == 1 else { throw ShopPlatformError("grep failed: \(grep.error)") }
        return Set(grep.output.split(separator: "\n").map { $0.lowercased() })
    }
}
