import Foundation
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import Logging
import Metrics
import PostgresNIO

/// Brings what segmentation knows of some profiles up to date with their events, in the caller's
/// transaction: computed traits, consent facts and the refusals ingestion enforces (`ConsentRefusals`),
/// segment memberships (with their outbox messages), and the moment time alone next changes one of those
/// answers.
///
/// It reads a profile's whole history each time rather than keeping a running fold: merges, splits,
/// late events and retries then need no special case (the answer is a function of the events the
/// profile has now), at the cost of reading more per event for people with long histories.
public struct ProfileEvaluator: Sendable {
    let directory: WorkspaceKeyCache
    let logger: Logger
    /// How long after a cart event an order must come for the cart not to count as abandoned.
    var abandonmentWindow: TimeInterval = 24 * 3600

    public init(directory: WorkspaceKeyCache, logger: Logger, abandonmentWindow: TimeInterval = 24 * 3600) {
        self.directory = directory
        self.logger = logger
        self.abandonmentWindow = abandonmentWindow
    }

    public struct Outcome: Sendable, Equatable {
        public var evaluated = 0
        public var retired = 0
        public var entered = 0
        public var exited = 0
        /// Segment answers worked out, and those left as they were because nothing they read changed.
        public var segmentsEvaluated = 0
        public var segmentsUnaffected = 0
    }

    /// Evaluates the profiles named (a merged-away id stands for the profile it was merged into, and has
    /// its own state removed) at `now`.
    @discardableResult
    public func evaluate(_ named: Set<UUID>, in workspaceID: UUID, now: Date, on connection: PostgresConnection) async throws -> Outcome {
        guard !named.isEmpty else { return Outcome() }
        let (followed, retired) = try await Self.follow(named, in: workspaceID, on: connection, logger: logger)
        try await Self.lock(followed.union(retired), in: workspaceID, on: connection, logger: logger)
        // Read again under the locks: a profile erased meanwhile (identity's step, then segmentation's, which
        // takes these locks too) is gone now, and its state must not be written back.
        let live = try await Self.stillLive(followed, in: workspaceID, on: connection, logger: logger)
        let segments = try await SegmentStore.live(in: workspaceID, on: connection, logger: logger)
        let liveIDs = Array(live)
        let keys = try await directory.keys(for: workspaceID)
        let facts = try await ProfileFacts.load(liveIDs, workspaceID: workspaceID, keys: keys, keyring: directory.keyring, on: connection, logger: logger)
        let previous = try await PreviousEvaluation.load(liveIDs, in: workspaceID, on: connection, logger: logger)
        let members = try await Memberships.current(of: liveIDs + Array(retired), in: workspaceID, on: connection, logger: logger)
        let timeZone = try await Self.timeZone(of: workspaceID, on: connection, logger: logger)

        var outcome = Outcome(retired: retired.count)
        var rows: [EvaluatedProfile] = []
        var entries: [Memberships.Entry] = []
        var exits: [Memberships.Member] = members.filter { retired.contains($0.profileID) }
        for profile in facts.values {
            let evaluated = evaluateOne(profile, previous: previous[profile.profileID], segments: segments, now: now, timeZone: timeZone)
            rows.append(evaluated)
            outcome.segmentsEvaluated += evaluated.answers.count
            outcome.segmentsUnaffected += segments.count - evaluated.answers.count
            for segment in segments {
                guard let isIn = evaluated.answers[segment.id] else { continue }
                let member = Memberships.Member(segmentID: segment.id, profileID: profile.profileID)
                let isMember = members.contains(member)
                if isIn, !isMember {
                    entries.append(Memberships.Entry(segmentID: segment.id, version: segment.version, profileID: profile.profileID))
                } else if !isIn, isMember {
                    exits.append(member)
                }
            }
        }
        // Memberships of segments deleted since, and of profiles gone, close too.
        let segmentIDs = Set(segments.map(\.id))
        exits += members.filter { !segmentIDs.contains($0.segmentID) && live.contains($0.profileID) }
        let gone = Array(retired) + Array(followed.subtracting(live)) + liveIDs.filter { facts[$0] == nil }
        try await Self.forget(gone, in: workspaceID, on: connection, logger: logger)
        try await Self.save(rows, in: workspaceID, now: now, on: connection, logger: logger)
        // Only people who refuse something, or refused something before, have refusal rows to keep.
        let refusing = rows.filter { row in row.consent.values.contains(false) || previous[row.profileID]?.consent.values.contains(false) == true }
        try await ConsentRefusals.sync(
            Dictionary(refusing.map { ($0.profileID, ConsentFact.refusedSince($0.consentFacts)) }, uniquingKeysWith: { first, _ in first }),
            in: workspaceID, on: connection, logger: logger
        )
        (outcome.entered, outcome.exited) = try await Memberships.apply(entries: entries, exits: exits, at: now, in: workspaceID, on: connection, logger: logger)
        outcome.evaluated = rows.count
        Counter(label: "kinship_segmentation_profiles_evaluated_total").increment(by: rows.count)
        Counter(label: "kinship_segmentation_segment_answers_total", dimensions: [("result", "evaluated")]).increment(by: outcome.segmentsEvaluated)
        Counter(label: "kinship_segmentation_segment_answers_total", dimensions: [("result", "unaffected")]).increment(by: outcome.segmentsUnaffected)
        return outcome
    }

    /// One profile's computed traits, consent, and the answers of the segments evaluated again.
    struct EvaluatedProfile: Sendable {
        let profileID: UUID
        let computed: [String: JSONValue]
        let consentFacts: [ConsentFact]
        /// How many of `consentFacts` (the first ones) are stored already; nil when they are all written anew.
        let consentFactsStored: Int?
        let consent: [String: Bool]
        let inputs: InputFingerprints
        /// Membership per segment evaluated; a segment not listed read nothing that changed and keeps its answer.
        let answers: [UUID: Bool]
        let eventCount: Int
        let nextCheck: Date?
    }

    /// Works out the profile's computed traits and consent from its whole history, then answers the segments
    /// that read something that changed since `previous` (all of them the first time). A segment left out
    /// keeps its answer, and its next change is no earlier than the previous next check, which stays a bound.
    func evaluateOne(_ profile: ProfileFacts, previous: PreviousEvaluation?, segments: [StoredSegment], now: Date, timeZone: TimeZone) -> EvaluatedProfile {
        var activity = ProfileActivity(abandonmentWindow: abandonmentWindow)
        for event in profile.activity { activity.apply(event) }
        var computed = activity.traits(now: now)
        computed.merge(Demographics.traits(birthday: profile.birthday, now: now, timeZone: timeZone)) { _, new in new }
        computed.merge(profile.rfm) { _, scored in scored }
        let consentFacts = ConsentFact.facts(of: profile.events)
        let consent = ConsentFact.inForce(consentFacts)
        var inputs = InputFingerprints(of: profile)
        let (factsPrint, factsStored) = ConsentFactsPrint.of(consentFacts, after: previous?.inputs.consentFacts)
        inputs.consentFacts = factsPrint
        let changes = previous?.changes(computed: computed, consent: consent, inputs: inputs, now: now)
        let subject = SegmentSubject(traits: profile.traits, computed: computed, consent: consent, events: profile.segmentEvents)
        var answers: [UUID: Bool] = [:]
        var nextCheck = activity.nextTraitChange(after: now)
        if let previous, let changes, !changes.cameDue, let previousCheck = previous.nextCheck {
            nextCheck = min(nextCheck ?? previousCheck, previousCheck)
        }
        for segment in segments {
            if let previous, let changes, !segment.dependencies.isAffected(by: changes), segment.updatedAt < previous.evaluatedAt { continue }
            let evaluation = segment.evaluate(subject, now: now)
            answers[segment.id] = evaluation.matches
            if let change = evaluation.nextChange { nextCheck = min(nextCheck ?? change, change) }
        }
        return EvaluatedProfile(
            profileID: profile.profileID, computed: computed, consentFacts: consentFacts, consentFactsStored: factsStored, consent: consent,
            inputs: inputs, answers: answers,
            eventCount: profile.events.count, nextCheck: nextCheck.flatMap { $0 > now ? $0 : nil }
        )
    }

    /// The named profiles still live, plus those the others were merged into; and the merged-away ones.
    static func follow(_ named: Set<UUID>, in workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> (live: Set<UUID>, retired: Set<UUID>) {
        var live: Set<UUID> = []
        var retired: Set<UUID> = []
        for try await (id, mergedInto) in try await connection.query(
            "SELECT id, merged_into FROM profiles WHERE workspace_id = \(workspaceID) AND id = ANY(\(Array(named))::uuid[])",
            logger: logger
        ).decode((UUID, UUID?).self) {
            if let mergedInto {
                retired.insert(id)
                live.insert(mergedInto)
            } else {
                live.insert(id)
            }
        }
        return (live, retired)
    }

    /// The profiles of `profiles` that exist and are not merged away.
    static func stillLive(_ profiles: Set<UUID>, in workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Set<UUID> {
        guard !profiles.isEmpty else { return [] }
        return Set(try await connection.query(
            "SELECT id FROM profiles WHERE workspace_id = \(workspaceID) AND id = ANY(\(Array(profiles))::uuid[]) AND merged_into IS NULL",
            logger: logger
        ).decode(UUID.self).collectAll())
    }

    /// Takes the workspace's lock shared (a full recompute takes it alone: `SegmentRecompute`), then each
    /// profile's lock, for the rest of the transaction, in one order everywhere (no deadlock): the consumers
    /// and the due-time loop may reach one profile at once.
    static func lock(_ profiles: Set<UUID>, in workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock_shared(hashtextextended(\(workspaceLock(workspaceID)), 0))", logger: logger)
        let names = profiles.map { "segmentation/\(workspaceID.lowercased)/\($0.lowercased)" }.sorted()
        try await connection.query(
            """
            SELECT count(pg_advisory_xact_lock(h)) FROM (SELECT hashtextextended(n, 0) AS h FROM unnest(\(names)::text[]) AS n ORDER BY 1) AS s
            """,
            logger: logger
        )
    }

    /// The name of the lock that keeps a full recompute's reads and writes apart from profile evaluations.
    static func workspaceLock(_ workspaceID: UUID) -> String { "segmentation/\(workspaceID.lowercased)" }

    /// The workspace's time zone (`settings.time_zone`, an IANA name), UTC when unset or unknown.
    static func timeZone(of workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> TimeZone {
        for try await name in try await connection.query(
            "SELECT settings->>'time_zone' FROM workspaces WHERE id = \(workspaceID)", logger: logger
        ).decode(String?.self) {
            return name.flatMap(TimeZone.init(identifier:)) ?? .gmt
        }
        return .gmt
    }

    /// Removes what segmentation kept of profiles merged away or gone.
    static func forget(_ profiles: [UUID], in workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        guard !profiles.isEmpty else { return }
        try await connection.query(
            "DELETE FROM segment_profiles WHERE workspace_id = \(workspaceID) AND profile_id = ANY(\(profiles)::uuid[])", logger: logger
        )
        try await connection.query(
            "DELETE FROM consent_facts WHERE workspace_id = \(workspaceID) AND profile_id = ANY(\(profiles)::uuid[])", logger: logger
        )
        try await ConsentRefusals.release(profiles, in: workspaceID, on: connection, logger: logger)
    }

    /// The next check as stored: a millisecond late rather than early (timestamps are kept to the
    /// millisecond), so the profile is never evaluated again just before its answer changes.
    static func storedNextCheck(_ row: EvaluatedProfile) -> String {
        row.nextCheck.map { Timestamp.format($0.addingTimeInterval(0.001)) } ?? ""
    }

    /// Writes the profiles' rows: computed traits (keeping the RFM scores, which the RFM refresh writes),
    /// consent in force, and their consent facts: those appended since the last evaluation, or all anew.
    static func save(_ rows: [EvaluatedProfile], in workspaceID: UUID, now: Date, on connection: PostgresConnection, logger: Logger) async throws {
        guard !rows.isEmpty else { return }
        let ids = rows.map(\.profileID)
        try await connection.query(
            """
            INSERT INTO segment_profiles AS sp (workspace_id, profile_id, computed, consent, inputs, event_count, next_check, evaluated_at)
            SELECT \(workspaceID), p, c::jsonb, k::jsonb, i::jsonb, n, nullif(t, '')::timestamptz, \(now)
            FROM unnest(\(ids)::uuid[], \(rows.map { JSONValue.object($0.computed).serialized() })::text[],
                        \(rows.map { JSONValue.object($0.consent.mapValues(JSONValue.bool)).serialized() })::text[],
                        \(rows.map { $0.inputs.json.serialized() })::text[],
                        \(rows.map(\.eventCount))::int[], \(rows.map(Self.storedNextCheck))::text[]) AS n(p, c, k, i, n, t)
            ON CONFLICT (workspace_id, profile_id) DO UPDATE SET
                computed = excluded.computed || coalesce((SELECT jsonb_object_agg(key, value) FROM jsonb_each(sp.computed) WHERE key LIKE 'rfm\\_%'), '{}'),
                consent = excluded.consent, inputs = excluded.inputs, event_count = excluded.event_count, next_check = excluded.next_check, evaluated_at = excluded.evaluated_at
            """,
            logger: logger
        )
        // A profile whose stored facts are a prefix of its facts now gets the rest appended; the others are written anew.
        let rewritten = rows.filter { $0.consentFactsStored == nil }.map(\.profileID)
        if !rewritten.isEmpty {
            try await connection.query(
                "DELETE FROM consent_facts WHERE workspace_id = \(workspaceID) AND profile_id = ANY(\(rewritten)::uuid[])", logger: logger
            )
        }
        let facts = rows.flatMap { row in row.consentFacts.dropFirst(row.consentFactsStored ?? 0).map { (row.profileID, $0) } }
        guard !facts.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO consent_facts (workspace_id, profile_id, category, granted, origin, source_id, message_id, stated_at)
            SELECT \(workspaceID), p, c, g, o, s, m, t
            FROM unnest(\(facts.map(\.0))::uuid[], \(facts.map(\.1.category))::text[], \(facts.map(\.1.granted))::bool[],
                        \(facts.map(\.1.origin.rawValue))::text[], \(facts.map(\.1.sourceID))::uuid[], \(facts.map(\.1.messageId))::text[],
                        \(facts.map(\.1.statedAt))::timestamptz[]) AS n(p, c, g, o, s, m, t)
            ON CONFLICT DO NOTHING
            """,
            logger: logger
        )
    }
}
