import AsyncHTTPClient
import Foundation
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
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

extension ShopPlatform {
    /// Every string the workspace's sealed values still open to, lower-cased, with every key still held: events
    /// under the workspace's key (their sealed members opened), each remaining profile's traits and
    /// identifiers under that profile's key. What an erasure removed must be in none of them.
    func openableStrings() async throws -> Set<String> {
        var strings: Set<String> = []
        func collect(_ value: JSONValue) {
            switch value {
            case .string(let text): strings.insert(text.lowercased())
            case .array(let items): items.forEach(collect)
            case .object(let members): members.values.forEach(collect)
            default: break
            }
        }
        let keys = try await TenancyStore(database: database, keyring: TestKeys.keyring, logger: TestDatabase.logger).keys(for: workspace.id)
        let sealing = SealedFields(key: keys.dataKey, workspaceID: workspace.id)
        for try await text in try await database.query(
            "SELECT message::text FROM events WHERE workspace_id = \(workspace.id)", logger: TestDatabase.logger
        ).decode(String.self) {
            guard case .object(let message) = try JSONValue.parse(text) else { continue }
            collect(.object(try sealing.openMessage(message)))
        }
        var profileKeys: [UUID: DataKey] = [:]
        for try await (id, wrapped, traits) in try await database.query(
            "SELECT id, data_key, traits::text FROM profiles WHERE workspace_id = \(workspace.id)", logger: TestDatabase.logger
        ).decode((UUID, Data, String).self) {
            let key = try TestKeys.keyring.unwrap(wrapped)
            profileKeys[id] = key
            let opened = try ProfileTraits.open(try JSONValue.parse(traits), key: key, workspaceID: workspace.id, profileID: id)
            opened.values.values.forEach { collect($0.value) }
        }
        for try await (type, sealed, profile) in try await database.query(
            "SELECT type, value_sealed, profile_id FROM identities WHERE workspace_id = \(workspace.id)", logger: TestDatabase.logger
        ).decode((String, Data, UUID).self) {
            guard let key = profileKeys[profile] else { continue }
            // Sealed as identity seals an identifier: bound to the workspace and the type.
            strings.insert(try key.openString(sealed, context: Data("kinship.identity/\(workspace.id.lowercased)/\(type)".utf8)).lowercased())
        }
        return strings
    }
}

extension ShopPlatform {
    /// The overview's events, orders and revenue over the whole shop, once the rollups have caught up with
    /// every stored event (the report counts what the events table holds).
    func settledOverview() async throws -> (events: Int, orders: Int, revenue: Double) {
        let viewer = try await apiKey(.viewer)
        let period = ["from": String(Timestamp.format(Date().addingTimeInterval(-120 * 86_400)).prefix(10)), "to": ShopPlatform.today]
        var last: (events: Int, orders: Int, revenue: Double) = (-1, -1, -1)
        let settled = try await poll(timeout: .seconds(60), every: .milliseconds(500)) {
            let overview = try JSONValue.parse(try await reporting("/v1/reports/overview", query: period, key: viewer).body)
            last = (
                Int(overview["events"]?["current"]?.numberValue ?? -1), Int(overview["orders"]?["current"]?.numberValue ?? -1),
                overview["revenue"]?["current"]?.numberValue ?? -1
            )
            return try await count("SELECT count(*)::int FROM events WHERE workspace_id = \(workspace.id)") == last.events
        }
        guard settled else { throw ShopPlatformError("the overview did not catch up with the stored events: \(last)") }
        return last
    }

    /// Open memberships per segment, of everyone or of `profiles`.
    func segmentSizes(of profiles: [UUID]? = nil) async throws -> [UUID: Int] {
        var sizes: [UUID: Int] = [:]
        for try await (segment, size) in try await database.query(
            """
            SELECT segment_id, count(*)::int FROM memberships
            WHERE workspace_id = \(workspace.id) AND exited_at IS NULL AND (\(profiles)::uuid[] IS NULL OR profile_id = ANY(\(profiles)::uuid[]))
            GROUP BY segment_id
            """,
            logger: TestDatabase.logger
        ).decode((UUID, Int).self) {
            sizes[segment] = size
        }
        return sizes
    }
}

extension Sequence {
    func asyncReduce<Result>(_ initial: Result, _ next: (Result, Element) async throws -> Result) async rethrows -> Result {
        var result = initial
        for element in self { result = try await next(result, element) }
        return result
    }
}
