import Foundation
import KinshipCore
import KinshipDatabase
import KinshipOutbox
import KinshipPrivacy
import KinshipTestSupport
import PostgresNIO
import Synchronization
import Testing

/// One consumer group on one topic in a fresh, migrated database, worked by `outbox-probe` processes
/// that record each message they handle in `probe_handled`, in the consumer's transaction.
struct ProbeBus: Sendable {
    let url: DatabaseURL
    let client: PostgresClient
    let topic: OutboxTopic
    let group = "probe"
    let workspaceID = UUID()
    let logger = TestDatabase.logger

    static func run(topic: OutboxTopic, _ body: @Sendable (ProbeBus) async throws -> Void) async throws {
        do {
            try await withFreshDatabase(topic: topic, body)
        } catch let error as PSQLError {
            // A PSQLError's description hides the server's message; the test report should show it.
            throw DatabaseFailure(description: String(reflecting: error))
        }
    }

    private static func withFreshDatabase(topic: OutboxTopic, _ body: @Sendable (ProbeBus) async throws -> Void) async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url) { client in
                // No unique constraint: a message handled twice must show up twice.
                try await client.query(
                    """
                    CREATE TABLE probe_handled (message_id bigint NOT NULL, worker text NOT NULL, key text NOT NULL,
                                                payload text NOT NULL, handled_at timestamptz NOT NULL DEFAULT clock_timestamp())
                    """,
                    logger: TestDatabase.logger
                )
                try await body(ProbeBus(url: url, client: client, topic: topic))
            }
        }
    }

    /// Starts a worker process; the delay is slept before each message, inside the batch's transaction.
    func startWorker(
        _ worker: String, delayMilliseconds: Int = 0, batch: Int = 100, leaseMilliseconds: Int = 2000, heartbeatMilliseconds: Int = 200
    ) throws -> ChildProcess {
        var environment = TestKeys.environment(url: url)
        environment["PROBE_GROUP"] = group
        environment["PROBE_TOPIC"] = topic.name
        environment["PROBE_PARTITIONS"] = String(topic.partitions)
        environment["PROBE_WORKER"] = worker
        environment["PROBE_DELAY_MS"] = String(delayMilliseconds)
        environment["PROBE_BATCH"] = String(batch)
        environment["PROBE_LEASE_MS"] = String(leaseMilliseconds)
        environment["PROBE_HEARTBEAT_MS"] = String(heartbeatMilliseconds)
        return try ChildProcess(built: "outbox-probe", environment: environment)
    }

    /// `perPartition` keys for each partition of the topic, so every partition gets the same share of messages.
    func keys(perPartition: Int) -> [String] {
        var buckets = Array(repeating: [String](), count: topic.partitions)
        var candidate = 0
        while buckets.contains(where: { $0.count < perPartition }) {
            let key = "customer-\(candidate)"
            candidate += 1
            let partition = topic.partition(for: key)
            if buckets[partition].count < perPartition { buckets[partition].append(key) }
        }
        return buckets.flatMap { $0 }
    }

    /// Appends messages numbered `seqs` (payload `{"seq": n}`, key `keys[n % keys.count]`), `perTransaction` per commit.
    func produce(_ seqs: Range<Int>, keys: [String], perTransaction: Int) async throws {
        for start in stride(from: seqs.lowerBound, to: seqs.upperBound, by: perTransaction) {
            let drafts = (start..<min(start + perTransaction, seqs.upperBound)).map { seq in
                OutboxDraft(topic: topic, workspaceID: workspaceID, key: keys[seq % keys.count], payload: "{\"seq\":\(seq)}")
            }
            try await client.transaction(logger: logger) { connection in
                try await Outbox.append(drafts, on: connection, logger: logger)
            }
        }
    }

    /// What the workers committed, in the order they handled it.
    func handled() async throws -> [HandledMessage] {
        try await client.query(
            "SELECT message_id, worker, key, payload, handled_at FROM probe_handled ORDER BY handled_at, message_id",
            logger: logger
        ).decode((Int64, String, String, String, Date).self).collectAll().map { id, worker, key, payload, handledAt in
            let seq = (try? JSONDecoder().decode(SeqPayload.self, from: Data(payload.utf8)))?.seq
            return HandledMessage(messageID: id, worker: worker, key: key, seq: seq, handledAt: handledAt)
        }
    }

    func handledCount() async throws -> Int {
        try await client.query("SELECT count(*)::int FROM probe_handled", logger: logger).decode(Int.self).collectAll().first ?? -1
    }

    /// Open transactions that have inserted handled rows and not committed: a batch caught mid-way. An
    /// insert holds its table's RowExclusiveLock to the end of the transaction; any xid alone would also
    /// count a heartbeat or a cursor update.
    func transactionsInsertingHandledRows() async throws -> Int {
        try await client.query(
            """
            SELECT count(*)::int FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND l.relation = 'probe_handled'::regclass AND l.mode = 'RowExclusiveLock' AND l.granted
              AND a.backend_xid IS NOT NULL AND a.pid <> pg_backend_pid()
            """,
            logger: logger
        ).decode(Int.self).collectAll().first ?? 0
    }

    /// Rows ever inserted into `probe_handled`, committed or rolled back (the statistics collector's count).
    func insertsAttempted() async throws -> Int {
        try await client.query(
            "SELECT n_tup_ins::int FROM pg_stat_user_tables WHERE relname = 'probe_handled'", logger: logger
        ).decode(Int.self).collectAll().first ?? -1
    }

    /// The owner of each partition the group has a cursor for, from `OutboxAdministration.status`.
    func owners() async throws -> [Int: String] {
        let status = try await OutboxAdministration(database: client, logger: logger).status(group: group)
        var owners: [Int: String] = [:]
        for partition in status where partition.topic == topic.name {
            if let owner = partition.owner { owners[partition.partition] = owner }
        }
        return owners
    }

    /// Messages committed to the topic that the group has not passed yet.
    func lag() async throws -> Int {
        try await OutboxAdministration(database: client, logger: logger).status(group: group)
            .filter { $0.topic == topic.name }.reduce(0) { $0 + $1.lagMessages }
    }

    /// Leases straight from `outbox_leases`: owner and expiry per partition.
    func leases() async throws -> [(partition: Int, owner: String?, expiresAt: Date)] {
        try await client.query(
            "SELECT partition, owner, expires_at FROM outbox_leases WHERE consumer_group = \(group) AND topic = \(topic.name) ORDER BY partition",
            logger: logger
        ).decode((Int, String?, Date).self).collectAll().map { (partition: $0.0, owner: $0.1, expiresAt: $0.2) }
    }

    /// Waits until every message numbered below `count` is handled and the group has no lag; returns whether that happened.
    func waitUntilAllHandled(_ count: Int, timeout: Duration) async throws -> Bool {
        try await poll(timeout: timeout) {
            let handled = try await handledCount()
            let lag = try await lag()
            return handled >= count && lag == 0
        }
    }
}

struct DatabaseFailure: Error, CustomStringConvertible {
    let description: String
}

private struct SeqPayload: Decodable {
    let seq: Int
}

/// A row of `probe_handled`; `seq` is nil when the payload is not the `{"seq": n}` that was produced.
struct HandledMessage: Sendable {
    let messageID: Int64
    let worker: String
    let key: String
    let seq: Int?
    let handledAt: Date
}

/// Checks that messages numbered `0..<count`, produced with key `keys[seq % keys.count]`, were each handled
/// exactly once, under their own key, and in production order within each key.
func expectEachHandledOnceInKeyOrder(
    _ handled: [HandledMessage], count: Int, keys: [String], sourceLocation: SourceLocation = #_sourceLocation
) {
    let timesPerID = Dictionary(grouping: handled, by: \.messageID)
    let repeatedIDs = timesPerID.filter { $0.value.count > 1 }
        .map { "message \($0.key) by \($0.value.map(\.worker))" }.sorted()
    #expect(repeatedIDs.isEmpty, "handled more than once: \(repeatedIDs.prefix(20))", sourceLocation: sourceLocation)
    #expect(timesPerID.count == count, "\(timesPerID.count) distinct message ids handled, \(count) produced", sourceLocation: sourceLocation)

    let timesPerSeq = Dictionary(grouping: handled.compactMap(\.seq), by: { $0 }).mapValues(\.count)
    let missing = (0..<count).filter { timesPerSeq[$0] == nil }
    #expect(missing.isEmpty, "\(missing.count) messages never handled, first: \(missing.prefix(20))", sourceLocation: sourceLocation)
    let unexpected = timesPerSeq.keys.filter { !(0..<count).contains($0) }.sorted()
    #expect(unexpected.isEmpty, "handled messages that were never produced: \(unexpected.prefix(20))", sourceLocation: sourceLocation)
    let unreadable = handled.filter { $0.seq == nil }.map(\.messageID)
    #expect(unreadable.isEmpty, "payloads that are not what was produced, messages: \(unreadable.prefix(20))", sourceLocation: sourceLocation)
    let wrongKey = handled.filter { message in
        guard let seq = message.seq, (0..<count).contains(seq) else { return false }
        return keys[seq % keys.count] != message.key
    }.map(\.messageID)
    #expect(wrongKey.isEmpty, "messages handled under another key: \(wrongKey.prefix(20))", sourceLocation: sourceLocation)

    var outOfOrder: [String] = []
    for (key, rows) in Dictionary(grouping: handled, by: \.key) {
        let seqs = rows.compactMap(\.seq)
        let ids = rows.map(\.messageID)
        if seqs != seqs.sorted() || ids != ids.sorted() {
            outOfOrder.append("\(key): seqs \(seqs.prefix(40)), ids \(ids.prefix(40))")
        }
    }
    #expect(outOfOrder.isEmpty, "keys handled out of production order: \(outOfOrder.sorted())", sourceLocation: sourceLocation)
}

/// Appends numbered messages in small transactions with pauses between them until stopped (or
/// `limit` is reached), counting what committed so a test can act while production goes on.
final class ContinuousProducer: Sendable {
    private let committedCount = Atomic<Int>(0)
    private let stopRequested = Atomic<Bool>(false)

    var committed: Int { committedCount.load(ordering: .acquiring) }
    func stop() { stopRequested.store(true, ordering: .releasing) }

    /// Returns how many messages committed: they are numbered `0..<result`.
    func run(on bus: ProbeBus, keys: [String], perTransaction: Int, pause: Duration, limit: Int) async throws -> Int {
        while !stopRequested.load(ordering: .acquiring) && committed < limit {
            let first = committed
            try await bus.produce(first..<(first + perTransaction), keys: keys, perTransaction: perTransaction)
            committedCount.add(perTransaction, ordering: .releasing)
            try await Task.sleep(for: pause)
        }
        return committed
    }
}
