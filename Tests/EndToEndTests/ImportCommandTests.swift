import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipTestSupport
import Testing

/// `kinship import FILE` against a real ingestion process.
struct ImportCommandTests {
    @Test func theCLIStreamsACSVFileAndReportsStoredAndRefusedRows() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let (workspace, writeKey) = try await TestDatabase.withClient(url) { try await makeSource(on: $0) }
            let environment = TestKeys.environment(url: url)
            let server = try IngestionProcess(environment: environment, port: freePort())
            try await server.process.waitUntilReady(server.url + "/readyz")

            var csv = "order_id,customer,placed_at,total\n"
            for n in 0..<5000 { csv += "O-\(n),c-\(n % 700),2024-05-01T10:00:00Z,\(n % 90 + 10)\n" }
            csv += "O-bad-1,,2024-05-01T10:00:00Z,5\n"  // no customer: refused
            csv += "O-bad-2,c-1,2024-05-01T10:00:00Z\n"  // a column short: refused
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("orders-\(UUID().uuidString).csv")
            try Data(csv.utf8).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }

            // The write key from the environment, then from a file: never on a command line, where `ps` shows it.
            let arguments = [
                "import", file.path, "--url", server.url,
                "--map", "event=Order Completed", "--map", "user_id_column=customer",
                "--map", "timestamp_column=placed_at", "--map", "number_columns=total",
            ]
            var withKey = environment
            withKey["KINSHIP_WRITE_KEY"] = writeKey
            let first = try await ChildProcess.run(built: "kinship", arguments, environment: withKey)
            #expect(first.status == 0, "\(first.error)")
            #expect(first.output.contains("rows 5002, stored 5000, duplicates 0"), "\(first.output)")
            #expect(first.error.contains("line 5002: missing_identifier"), "\(first.error)")
            #expect(first.error.contains("line 5003: csv_column_count"), "\(first.error)")

            let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("write-key-\(UUID().uuidString)")
            try Data((writeKey + "\n").utf8).write(to: keyFile)
            defer { try? FileManager.default.removeItem(at: keyFile) }
            let again = try await ChildProcess.run(built: "kinship", arguments + ["--write-key-file", keyFile.path], environment: environment)
            #expect(again.output.contains("stored 0, duplicates 5000"), "\(again.output)")
            let counts = try await TestDatabase.withClient(url) { try await storedCounts(in: workspace, on: $0) }
            #expect(counts.events == 5000)

            // --write-key still works, and wins over the environment.
            let wrongKey = try await ChildProcess.run(built: "kinship", ["import", file.path, "--url", server.url, "--write-key", "wk_nope"], environment: withKey)
            #expect(wrongKey.status != 0 && wrongKey.error.contains("invalid_write_key"), "\(wrongKey.error)")
            #expect(await server.process.stop() == 0)
        }
    }
}
