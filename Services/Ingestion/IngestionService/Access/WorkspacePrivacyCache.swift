import Foundation
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import Logging
import PostgresNIO
import Synchronization

/// What ingestion must know of a workspace to obey its people's choices on every message: its privacy
/// policy (which consent category each message needs), its suppressed identifiers (`kind: suppress`
/// privacy requests), and the consent its people refused earlier (`consent_refusals`, kept by
/// segmentation from their consent facts). No request is answered from a read older than `lifetime`, so a
/// change holds at every replica within that time; a workspace with none costs a dictionary lookup per
/// request.
///
/// A read older than half the lifetime is renewed in the background, one renewal at a time, while requests
/// go on with it: a busy workspace never waits for one. When every request of a busy workspace waited for
/// the read that had expired, track requests at 1,000 a second took over 10 ms (p99) instead of 4 to 6.
///
/// Refusals are read incrementally: each read takes the rows changed since the previous read's snapshot
/// (`changed_xid` at or after its xmin, so a transaction that committed late is not missed), and the
/// whole table every `fullReload` (rows removed by an erasure drop out then).
final class WorkspacePrivacyCache: Sendable {
    /// One identifier as identity keeps it: its type and blind-index token.
    struct Token: Hashable, Sendable {
        let type: String
        let token: Data
    }

    /// One workspace's policy, suppressed identifiers and refusals.
    struct State: Sendable {
        var policy: PrivacyPolicy
        /// What the policy's classification seals, when it adds to the defaults (nil: the defaults).
        var personalData: PersonalData?
        var suppressed: Set<Token>
        /// The categories refused per identifier, each since when (events dated before were collected with consent).
        var refusals: [Token: [String: Date]]
        /// How the workspace's identity rules read a national phone number.
        var defaultRegion: String

        static let standard = State(policy: .standard, personalData: nil, suppressed: [], refusals: [:], defaultRegion: IdentityRules().defaultRegion)

        /// Whether a message's identifiers must be looked at.
        var checksIdentifiers: Bool { !suppressed.isEmpty || !refusals.isEmpty }

        /// The message's identifiers as identity spells them, as tokens.
        func tokens(in message: [String: JSONValue], blindIndex: BlindIndex) -> [Token] {
            MessageIdentifiers.raw(in: message).compactMap { type, text in
                guard let value = MessageIdentifiers.canonical(type: type, text, defaultRegion: defaultRegion) else { return nil }
                return Token(type: type, token: blindIndex.token(type: type, normalizedValue: value))
            }
        }
    }

    private struct Entry: Sendable {
        var state: State
        var loadedAt: ContinuousClock.Instant
        var fullyLoadedAt: ContinuousClock.Instant
        /// The snapshot xmin of the last read of `consent_refusals` (an xid8, as text).
        var refusalsReadFrom: String
        /// A background renewal of this entry is under way.
        var renewing = false
    }

    private let database: PostgresClient
    private let logger: Logger
    private let lifetime: Duration
    private let fullReload: Duration
    private let entries = Mutex<[UUID: Entry]>([:])

    init(database: PostgresClient, logger: Logger, lifetime: Duration = .seconds(2), fullReload: Duration = .seconds(300)) {
        self.database = database
        self.logger = logger
        self.lifetime = lifetime
        self.fullReload = fullReload
    }

    func state(for workspaceID: UUID) async throws -> State {
        let now = ContinuousClock.now
        let (cached, renew) = entries.withLock { entries -> (Entry?, Bool) in
            guard var entry = entries[workspaceID] else { return (nil, false) }
            let age = now - entry.loadedAt
            guard age >= lifetime / 2, age < lifetime, !entry.renewing else { return (entry, false) }
            entry.renewing = true
            entries[workspaceID] = entry
            return (entry, true)
        }
        if let cached, now - cached.loadedAt < lifetime {
            if renew { Task { await self.renew(workspaceID, from: cached) } }
            return cached.state
        }
        return try await reload(workspaceID, from: cached, at: now)
    }

    /// Reads the workspace again (incrementally unless a full reload is due) and keeps what it read.
    private func reload(_ workspaceID: UUID, from cached: Entry?, at now: ContinuousClock.Instant) async throws -> State {
        let reloadAll = cached.map { now - $0.fullyLoadedAt >= fullReload } ?? true
        let entry = try await load(workspaceID, from: reloadAll ? nil : cached, at: now)
        entries.withLock { entries in
            // A read that started earlier than the one kept (a slow renewal) does not replace it.
            if let kept = entries[workspaceID], kept.loadedAt > entry.loadedAt { return }
            entries[workspaceID] = entry
        }
        return entry.state
    }

    private func renew(_ workspaceID: UUID, from cached: Entry) async {
        do {
            _ = try await reload(workspaceID, from: cached, at: ContinuousClock.now)
        } catch {
            // The entry stays as it was: the next request past its lifetime reads again, and fails if this did.
            logger.warning("reading a workspace's privacy state failed", metadata: ["workspace_id": "\(workspaceID)", "error": "\(String(reflecting: error))"])
            entries.withLock { entries in entries[workspaceID]?.renewing = false }
        }
    }

    private func load(_ workspaceID: UUID, from previous: Entry?, at now: ContinuousClock.Instant) async throws -> Entry {
        var state = previous?.state ?? .standard
        let policy = try await PrivacyPolicies.current(in: workspaceID, on: database, logger: logger).policy
        if policy != state.policy {
            state.policy = policy
            state.personalData = policy.classification == .standard ? nil : PersonalData(rules: policy.classification)
        }
        state.suppressed = []
        for try await (type, token) in try await database.query(
            "SELECT type, token FROM suppressed_identifiers WHERE workspace_id = \(workspaceID)", logger: logger
        ).decode((String, Data).self) {
            state.suppressed.insert(Token(type: type, token: token))
        }
        let readFrom = try await readRefusals(workspaceID, since: previous?.refusalsReadFrom, into: &state.refusals)
        if state.checksIdentifiers {
            state.defaultRegion = IdentityRules().defaultRegion
            for try await text in try await database.query(
                "SELECT rules::text FROM identity_rules WHERE workspace_id = \(workspaceID)", logger: logger
            ).decode(String.self) {
                state.defaultRegion = (try? JSONCoding.decode(IdentityRules.self, from: Data(text.utf8)))?.defaultRegion ?? state.defaultRegion
            }
        }
        return Entry(state: state, loadedAt: now, fullyLoadedAt: previous?.fullyLoadedAt ?? now, refusalsReadFrom: readFrom)
    }

    /// Applies the refusals changed since `since` (all of them when nil) and returns this read's snapshot xmin.
    private func readRefusals(_ workspaceID: UUID, since: String?, into refusals: inout [Token: [String: Date]]) async throws -> String {
        if since == nil { refusals = [:] }
        var readFrom = since ?? "0"
        // One statement, so the xmin is that of the snapshot the rows were read in.
        for try await (xmin, type, token, category, refused, refusedAt) in try await database.query(
            """
            SELECT s.xmin::text, c.type, c.token, c.category, c.refused, c.refused_at
            FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) AS s
            LEFT JOIN consent_refusals AS c ON c.workspace_id = \(workspaceID) AND c.changed_xid >= \(since ?? "0")::xid8
            """,
            logger: logger
        ).decode((String, String?, Data?, String?, Bool?, Date?).self) {
            readFrom = xmin
            guard let type, let token, let category, let refused, let refusedAt else { continue }
            let key = Token(type: type, token: token)
            if refused {
                refusals[key, default: [:]][category] = refusedAt
            } else if var categories = refusals[key] {
                categories[category] = nil
                refusals[key] = categories.isEmpty ? nil : categories
            }
        }
        return readFrom
    }
}
