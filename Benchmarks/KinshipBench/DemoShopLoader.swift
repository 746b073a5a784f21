import Foundation
import KinshipCore
import KinshipDatabase
import KinshipDemoShop
import KinshipPrivacy
import Logging
import NIOCore
import PostgresNIO

/// What loading the demo shop stored (set-up, not a measure).
struct ShopLoad: Sendable {
    var profiles = 0
    var events = 0
    /// Messages left out: visitors' (no customer's profile), duplicates of a message id already stored.
    var skipped = 0
    var duration: Duration = .zero
    /// The shop's first and last day, in days since 1970-01-01 UTC.
    var firstDay = 0
    var endDay = 0
    /// Up to `DemoShopLoader.sampledUserIDs` customers' user ids, spread over the shop (every few households).
    var userIDs: [String] = []

    /// From the start of the first day to the end of the last.
    var span: (from: Date, to: Date) {
        (Date(timeIntervalSince1970: Double(firstDay) * 86_400), Date(timeIntervalSince1970: Double(endDay + 1) * 86_400))
    }
}

/// Stores a demo shop as ingestion and identity would have left it: the segmentation and reporting
/// benchmarks' set-up.
struct DemoShopLoader: Sendable {
    /// The shop: this many customers over this many days, ending yesterday, from this seed.
    let customers: Int
    let days: Int
    let seed: Int
    let logger: Logger
    /// How many customers' user ids `load` returns (for benchmarks that name people).
    var sampledUserIDs = 0

    /// The three tables as ingestion and identity would have left them, rendered in `COPY` text.
    struct Rows {
        var profiles = ByteBuffer()
        var events = ByteBuffer()
        var eventProfiles = ByteBuffer()
        var identities = ByteBuffer()
        var count = 0
    }

    /// Stores the demo shop straight into `profiles`, `identities`, `events` and `event_profiles`: one profile
    /// per customer (a wrapped data key of its own; gender and province as identity keeps a non-personal
    /// trait; their user id, e-mails and devices as identities, token and sealed value as identity keeps
    /// them), each message of theirs sealed by `SealedFields` as ingestion seals it, and attached to
    /// the customer it belongs to (their user id, or a device only they used). Visitors' messages and
    /// point-of-sale rows are left out. About 20,000 events per transaction, by `COPY`. Then `VACUUM (ANALYZE)`;
    /// the caller checkpoints.
    func load(_ workspace: DemoShopWorkspace, _ database: PostgresClient) async throws -> ShopLoad {
        // Yesterday, so that no event is dated after the moment the measures evaluate at.
        let endDay = Int(Date().timeIntervalSince1970 / 86_400) - 1
        let shop = DemoShop(DemoParameters(customers: customers, days: days, seed: UInt64(seed), endDay: endDay))
        progress("load: demo shop of \(customers) customers over \(days) days (seed \(seed)), ending yesterday")
        let start = ContinuousClock.now
        var load = ShopLoad(firstDay: endDay - days + 1, endDay: endDay)
        var rows = Rows()
        var reported = 0
        var identified: Set<Data> = []
        // Every few households with a signed-up customer give a candidate, about four times as many as asked
        // for (not every household has one), thinned evenly at the end: spread over the whole shop.
        let candidateEvery = sampledUserIDs > 0 ? max(1, customers / (4 * sampledUserIDs)) : 0
        var eligibleHouseholds = 0
        var candidates: [String] = []
        for household in shop {
            try render(household, workspace, into: &rows, load: &load, identified: &identified)
            if candidateEvery > 0, let userID = household.people.first(where: { $0.userId != nil && !$0.storeOnly })?.userId {
                if eligibleHouseholds % candidateEvery == 0 { candidates.append(userID) }
                eligibleHouseholds += 1
            }
            if rows.count >= 20_000 {
                try await Self.write(rows, database, logger: logger)
                rows = Rows()
                if load.profiles * 10 / customers > reported {
                    reported = load.profiles * 10 / customers
                    progress("  \(load.profiles) profiles, \(load.events) events stored, \(Int(perSecond(load.events, .now - start))) events/s")
                }
            }
        }
        try await Self.write(rows, database, logger: logger)
        load.userIDs = candidates.count <= sampledUserIDs
            ? candidates : (0..<sampledUserIDs).map { candidates[$0 * candidates.count / sampledUserIDs] }
        load.duration = .now - start
        progress(String(format: "  loaded %d profiles and %d events in %.1f s; VACUUM (ANALYZE) and CHECKPOINT, not timed",
                        load.profiles, load.events, load.duration.inMilliseconds / 1000))
        try await database.query("VACUUM (ANALYZE) profiles, identities, events, event_profiles", logger: logger)
        return load
    }

    private func render(
        _ household: DemoHousehold, _ workspace: DemoShopWorkspace, into rows: inout Rows, load: inout ShopLoad, identified: inout Set<Data>
    ) throws {
        guard !household.people.isEmpty else {
            load.skipped += household.messages.count
            return
        }
        var owners: [String: UUID] = [:]
        var devices: [String: UUID] = [:]
        for truth in household.people {
            let id = UUID()
            if let userId = truth.userId { owners[userId] = id }
            for device in truth.anonymousIds { devices[device] = id }
            let at = Timestamp.format(Date())
            let traits: JSONValue = .object([
                "gender": .object(["value": .string(truth.gender), "at": .string(at), "source": .string(workspace.sourceID.lowercased)]),
                "province": .object(["value": .string(truth.province), "at": .string(at), "source": .string(workspace.sourceID.lowercased)]),
            ])
            let key = DataKey.generate()
            let wrapped = try workspace.keyring.wrap(key)
            Self.writeRow([workspace.workspaceID.uuidString, id.uuidString, "\\x" + wrapped.hexString, traits.serialized()], to: &rows.profiles)
            load.profiles += 1
            let identifiers = [truth.userId.map { (MessageIdentifiers.userID, $0) }].compactMap(\.self)
                + truth.emails.map { (MessageIdentifiers.email, $0.trimmingCharacters(in: .whitespaces).lowercased()) }
                + truth.anonymousIds.filter { devices[$0] == id }.map { (MessageIdentifiers.anonymousID, $0) }
            for (type, value) in identifiers {
                let token = workspace.ingestion.blindIndex.token(type: type, normalizedValue: value)
                // One owner per identifier, as identity keeps it (an e-mail two people typed goes to the first).
                guard identified.insert(Data(type.utf8) + token).inserted else { continue }
                // Sealed as identity seals an identifier's value: the profile's key, bound to workspace and type.
                let sealed = try key.seal(value, context: Data("kinship.identity/\(workspace.workspaceID.lowercased)/\(type)".utf8))
                Self.writeRow([workspace.workspaceID.uuidString, type, "\\x" + token.hexString, "\\x" + sealed.hexString, id.uuidString], to: &rows.identities)
            }
        }
        var seen: Set<String> = []
        for demo in household.messages {
            guard case .object(let message) = try JSONValue.parse(demo.json),
                  let messageId = message["messageId"]?.stringValue, let type = message["type"]?.stringValue,
                  let time = message["timestamp"]?.stringValue.flatMap(Timestamp.parse)
            else { throw BenchFailure("a demo message without messageId, type or timestamp") }
            // As identity would attach it: by user id when the message has one, else by a device only this person used.
            let owner = message["userId"]?.stringValue.map { owners[$0] } ?? message["anonymousId"]?.stringValue.map { devices[$0] }
            guard let owner = owner ?? nil, seen.insert(messageId).inserted else {
                load.skipped += 1
                continue
            }
            let stamp = Timestamp.format(time)
            let sealed = try workspace.sealing.sealMessage(message)
            Self.writeRow([
                workspace.workspaceID.uuidString, stamp, messageId, workspace.sourceID.uuidString, type, message["event"]?.stringValue, stamp,
                JSONValue.object(sealed).serialized(),
            ], to: &rows.events)
            let trackEvent = type == "track" ? message["event"]?.stringValue : nil
            Self.writeRow([workspace.workspaceID.uuidString, stamp, messageId, owner.uuidString, stamp, trackEvent], to: &rows.eventProfiles)
            rows.count += 1
            load.events += 1
        }
    }

    static func writeRow(_ fields: [String?], to buffer: inout ByteBuffer) {
        for (index, field) in fields.enumerated() {
            if index > 0 { buffer.writeString("\t") }
            IngestionBenchmark.writeCopyField(field, to: &buffer)
        }
        buffer.writeString("\n")
    }

    /// Stores `rows` in one transaction.
    static func write(_ rows: Rows, _ database: PostgresClient, logger: Logger) async throws {
        try await database.transaction(logger: logger) { connection in
            for (table, columns, buffer) in [
                ("profiles", ["workspace_id", "id", "data_key", "traits"], rows.profiles),
                ("events", IdentityBenchWorkspace.eventColumns, rows.events),
                ("event_profiles", ["workspace_id", "received_at", "message_id", "profile_id", "event_time", "track_event"], rows.eventProfiles),
                ("identities", ["workspace_id", "type", "token", "value_sealed", "profile_id"], rows.identities),
            ] where buffer.readableBytes > 0 {
                try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                    try await writer.write(buffer)
                }
            }
        }
    }
}
