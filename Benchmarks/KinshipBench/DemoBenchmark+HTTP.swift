import Foundation
import KinshipChildProcess
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import PostgresNIO

extension DemoBenchmark {
    /// `demo send` of a shop, and `kinship import` of the same shop's events.ndjson, each into its own source
    /// of a fresh workspace on the release `ingestion`; with what each stored.
    struct HTTPMeasures: Sendable {
        let send: Run
        let importRun: Run
        let importedLines: Int
        let sendStored: Int
        let importStored: Int
        let posRows: Int
        let serviceExitStatus: Int32?
    }

    func sendAndImport(shop folder: URL) async throws -> HTTPMeasures {
        let c = configuration
        let masterKey = Data((0..<32).map { _ in UInt8.random(in: .min ... .max) })
        let keyring = try MasterKeyring(current: masterKey)
        return try await c.database.withClient(logger: poolLogger) { database in
            try await MigrationRunner().migrate(database, logger: logger)
            let tenancy = TenancyStore(database: database, keyring: keyring, logger: logger)
            let workspace = try await tenancy.createWorkspace(name: "bench-demo-\(UUID().uuidString.prefix(8).lowercased())", actor: "kinship-bench")
            let sent = try await tenancy.createSource(in: workspace, name: "demo-send", actor: "kinship-bench")
            let imported = try await tenancy.createSource(in: workspace, name: "demo-import", actor: "kinship-bench")

            let port = freePort()
            let service = try ChildProcess("ingestion", in: c.binDirectory, environment: [
                "KINSHIP_DATABASE_URL": c.databaseURLText, "KINSHIP_MASTER_KEY": masterKey.base64String,
                "KINSHIP_INTERNAL_TOKEN": "bench-" + UUID().uuidString, "KINSHIP_INGESTION_PORT": String(port),
                "KINSHIP_LOG_LEVEL": "warning", "KINSHIP_RATE_LIMIT_PER_SOURCE": "0", "KINSHIP_IMPORT_ROWS_PER_SECOND": "10000000",
            ], output: .log(ChildProcess.temporaryLog("kinship-bench-demo-ingestion")))
            let url = "http://127.0.0.1:\(port)"
            do {
                try await service.waitUntilReady(url + "/readyz")
                let shop = c.shopArguments(customers: c.sendCustomers)
                let send = try await kinship(["demo", "send"] + shop, environment: ["KINSHIP_INGESTION_URL": url, "KINSHIP_WRITE_KEY": sent.secret])
                progress("  \(Int(send.seconds)) s; now kinship import of the same events.ndjson")
                let events = folder.appendingPathComponent("events.ndjson").path
                let importRun = try await kinship(["import", events], environment: ["KINSHIP_INGESTION_URL": url, "KINSHIP_WRITE_KEY": imported.secret])
                let stored = try await storedPerSource(workspace.id, database)
                let lines = try String(contentsOfFile: events, encoding: .utf8).utf8.reduce(0) { $1 == 10 ? $0 + 1 : $0 }
                let posRows = try String(contentsOfFile: folder.appendingPathComponent("pos.csv").path, encoding: .utf8)
                    .utf8.reduce(0) { $1 == 10 ? $0 + 1 : $0 } - 1
                let status = await service.stop(grace: .seconds(15))
                return HTTPMeasures(
                    send: send, importRun: importRun, importedLines: lines, sendStored: stored[sent.owner.id] ?? 0,
                    importStored: stored[imported.owner.id] ?? 0, posRows: posRows, serviceExitStatus: status
                )
            } catch {
                await service.stop(grace: .seconds(15))
                progress("ingestion's last log lines:\n\(service.logTail())")
                throw error
            }
        }
    }

    private func storedPerSource(_ workspace: UUID, _ database: PostgresClient) async throws -> [UUID: Int] {
        var counts: [UUID: Int] = [:]
        let rows = try await database.query(
            "SELECT source_id, count(*)::int FROM events WHERE workspace_id = \(workspace) GROUP BY source_id", logger: logger
        ).decode((UUID, Int).self)
        for try await (source, count) in rows { counts[source] = count }
        return counts
    }
}
