import Foundation
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import KinshipTestSupport
import PostgresNIO
import Testing

/// `kinship keys rewrap` after a master key rotation, on many profiles and beside other transactions.
/// Each test has its own database: a rewrap covers every workspace in it.
struct KeyRewrapTests {
    let logger = TestDatabase.logger

    static func randomKey() -> Data { Data((0..<32).map { _ in UInt8.random(in: 0...255) }) }

    /// A workspace and `count` profiles whose keys `old` wrapped, each with a value sealed under its own key.
    struct Seeded {
        let workspace: Workspace
        let profiles: [UUID]
        let sealed: [UUID: Data]
    }

    func seed(_ count: Int, wrappedBy old: MasterKeyring, on client: PostgresClient) async throws -> Seeded {
        let workspace = try await TenancyStore(database: client, keyring: old, logger: logger).createWorkspace(name: "rotation", actor: "test")
        let profiles = (0..<count).map { _ in UUID() }
        var wrapped: [String] = []
        var sealed: [UUID: Data] = [:]
        for id in profiles {
            let key = DataKey.generate()
            wrapped.append(try old.wrap(key).base64String)
            sealed[id] = try key.seal("person \(id.lowercased)")
        }
        try await client.query(
            """
            INSERT INTO profiles (workspace_id, id, data_key)
            SELECT \(workspace.id), i, decode(k, 'base64') FROM unnest(\(profiles)::uuid[], \(wrapped)::text[]) AS n(i, k)
            """,
            logger: logger
        )
        return Seeded(workspace: workspace, profiles: profiles, sealed: sealed)
    }

    /// The profiles whose stored key `ring` (holding only the new master key) opens, and that still opens their value.
    func profilesOpening(with ring: MasterKeyring, _ seeded: Seeded, on client: PostgresClient) async throws -> Set<UUID> {
        var result: Set<UUID> = []
        for try await (id, wrapped) in try await client.query(
            "SELECT id, data_key FROM profiles WHERE workspace_id = \(seeded.workspace.id)", logger: logger
        ).decode((UUID, Data).self) {
            guard let key = try? ring.unwrap(wrapped), let sealed = seeded.sealed[id] else { continue }
            if try key.openString(sealed) == "person \(id.lowercased)" { result.insert(id) }
        }
        return result
    }

    /// Profiles per writing transaction, by the rows' `xmin` (the id of the transaction that wrote each).
    func rowsPerTransaction(_ seeded: Seeded, on client: PostgresClient) async throws -> [String: Int] {
        var result: [String: Int] = [:]
        for try await (xmin, count) in try await client.query(
            "SELECT xmin::text, count(*)::int FROM profiles WHERE workspace_id = \(seeded.workspace.id) GROUP BY 1", logger: logger
        ).decode((String, Int).self) {
            result[xmin] = count
        }
        return result
    }

    @Test func aThousandProfilesAreRewrappedInShortTransactionsAndARerunChangesNothing() async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url) { client in
                let (oldRaw, newRaw) = (Self.randomKey(), Self.randomKey())
                let seeded = try await seed(1_000, wrappedBy: try MasterKeyring(current: oldRaw), on: client)
                let rotated = TenancyStore(database: client, keyring: try MasterKeyring(current: newRaw, retired: [oldRaw]), logger: logger)
                let newOnly = try MasterKeyring(current: newRaw)
                #expect(try await profilesOpening(with: newOnly, seeded, on: client).isEmpty)

                let summary = try await rotated.rewrapKeys(actor: "test", batchSize: 200)
                #expect(summary.rewrapped == 1_002 && summary.profilesScanned == 1_000 && summary.busy == 0)
                #expect(try await profilesOpening(with: newOnly, seeded, on: client) == Set(seeded.profiles))
                let transactions = try await rowsPerTransaction(seeded, on: client)
                #expect(transactions.count >= 5, "profiles were rewritten by \(transactions.count) transaction(s)")
                #expect(transactions.values.max() ?? 0 <= 200, "a transaction rewrote \(transactions.values.max() ?? 0) profiles")

                let again = try await rotated.rewrapKeys(actor: "test", batchSize: 200)
                #expect(again.rewrapped == 0 && again.profilesScanned == 1_000)
                #expect(try await rowsPerTransaction(seeded, on: client) == transactions, "a rerun rewrote profiles")
                #expect(try await TenancyStore(database: client, keyring: newOnly, logger: logger).keys(for: seeded.workspace.id).dataKey.id
                    == TenancyStore(database: client, keyring: try MasterKeyring(current: oldRaw, retired: [newRaw]), logger: logger).keys(for: seeded.workspace.id).dataKey.id)
                let audit = try await client.query(
                    "SELECT count(*)::int FROM audit_log WHERE workspace_id = \(seeded.workspace.id) AND action = 'keys.rewrapped'", logger: logger
                ).decode(Int.self).collectAll()
                #expect(audit == [2])
            }
        }
    }

    /// Holds a row lock on one profile in a transaction of its own: says so on `locked`, commits once
    /// `release` finishes (or the task is cancelled).
    func holdLock(
        on profile: UUID, in seeded: Seeded, client: PostgresClient,
        locked: AsyncStream<Void>.Continuation, release: AsyncStream<Void>
    ) async throws {
        try await client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            try await connection.query(
                "SELECT 1 FROM profiles WHERE workspace_id = \(seeded.workspace.id) AND id = \(profile) FOR UPDATE", logger: logger
            )
            locked.finish()
            for await _ in release {}
            try await connection.query("COMMIT", logger: logger)
        }
    }

    @Test func aProfileLockedElsewhereHoldsBackOnlyItsOwnRewrap() async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url) { client in
                let (oldRaw, newRaw) = (Self.randomKey(), Self.randomKey())
                let seeded = try await seed(1_000, wrappedBy: try MasterKeyring(current: oldRaw), on: client)
                let rotated = TenancyStore(database: client, keyring: try MasterKeyring(current: newRaw, retired: [oldRaw]), logger: logger)
                let newOnly = try MasterKeyring(current: newRaw)
                let held = seeded.profiles[seeded.profiles.count / 2]
                let others = Set(seeded.profiles).subtracting([held])
                let (locked, lockedNow) = AsyncStream<Void>.makeStream()
                let (release, releaseNow) = AsyncStream<Void>.makeStream()
                defer { releaseNow.finish() }

                let summary = try await withThrowingTaskGroup(of: RewrapSummary?.self) { group in
                    group.addTask {
                        try await holdLock(on: held, in: seeded, client: client, locked: lockedNow, release: release)
                        return nil
                    }
                    for await _ in locked {}
                    group.addTask { try await rotated.rewrapKeys(actor: "test", batchSize: 100, busyWait: .seconds(60)) }
                    // Every other profile is rewrapped while the lock is still held.
                    let deadline = ContinuousClock.now + .seconds(30)
                    var opened: Set<UUID> = []
                    while ContinuousClock.now < deadline {
                        opened = try await profilesOpening(with: newOnly, seeded, on: client)
                        if opened == others { break }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    #expect(opened == others, "while one profile was locked, \(opened.count) of the \(others.count) others were rewrapped")
                    releaseNow.finish()
                    var summary: RewrapSummary?
                    for try await result in group where result != nil { summary = result }
                    return summary
                }
                #expect(summary?.rewrapped == 1_002 && summary?.busy == 0)
                #expect(try await profilesOpening(with: newOnly, seeded, on: client) == Set(seeded.profiles))
            }
        }
    }

    @Test func aProfileLockedLongerThanTheWaitIsLeftForTheNextRun() async throws {
        try await TestDatabase.withFreshDatabase { url in
            try await TestDatabase.withClient(url) { client in
                let (oldRaw, newRaw) = (Self.randomKey(), Self.randomKey())
                let seeded = try await seed(50, wrappedBy: try MasterKeyring(current: oldRaw), on: client)
                let rotated = TenancyStore(database: client, keyring: try MasterKeyring(current: newRaw, retired: [oldRaw]), logger: logger)
                let newOnly = try MasterKeyring(current: newRaw)
                let held = seeded.profiles[7]

                let (locked, lockedNow) = AsyncStream<Void>.makeStream()
                let (release, releaseNow) = AsyncStream<Void>.makeStream()
                defer { releaseNow.finish() }
                let first = try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await holdLock(on: held, in: seeded, client: client, locked: lockedNow, release: release) }
                    for await _ in locked {}
                    let summary = try await rotated.rewrapKeys(actor: "test", batchSize: 20, busyWait: .milliseconds(300))
                    releaseNow.finish()
                    try await group.waitForAll()
                    return summary
                }
                #expect(first.rewrapped == 2 + 49 && first.busy == 1)
                #expect(try await profilesOpening(with: newOnly, seeded, on: client) == Set(seeded.profiles).subtracting([held]))

                let second = try await rotated.rewrapKeys(actor: "test", batchSize: 20)
                #expect(second.rewrapped == 1 && second.busy == 0)
                #expect(try await profilesOpening(with: newOnly, seeded, on: client) == Set(seeded.profiles))
            }
        }
    }
}
