import Foundation
import KinshipCore
import Logging
import PostgresNIO

/// What changed in a profile since segmentation last evaluated it, by top-level name: the index from a
/// changed field to the segments to evaluate again (`SegmentDependencies.isAffected(by:)`).
struct ProfileChanges: Sendable, Equatable {
    var traits: Set<String> = []
    var computed: Set<String> = []
    var consent: Set<String> = []
    var events: Set<String> = []
    /// The stored next check has come: time alone may have changed an answer, or RFM scoring (which
    /// brings the check forward) changed the scores.
    var cameDue = false
}

/// Short hashes of a profile's traits and of its track events per name, kept beside its computed traits so
/// that the next evaluation can tell which of them changed.
///
/// 32 bits each: a collision leaves one segment unevaluated for one change, until the profile's next change
/// or the periodic full recompute, a risk of one in four billion per change, for a few bytes per name.
struct InputFingerprints: Sendable, Equatable {
    var traits: [String: String] = [:]
    var events: [String: String] = [:]
    /// The consent facts written with this evaluation: how many, and the hash of them in order
    /// (`ConsentFactsPrint`), so the next evaluation writes only the facts appended since.
    var consentFacts: ConsentFactsPrint?

    init(traits: [String: String] = [:], events: [String: String] = [:]) {
        self.traits = traits
        self.events = events
    }

    /// The fingerprints of what `profile` holds now. An event name's hash is the sum of its events' own
    /// (source and message id): the same set in any order gives the same hash.
    init(of profile: ProfileFacts) {
        traits = profile.traits.mapValues { Self.short(FNV1a.hash($0.serialized())) }
        var sums: [String: UInt64] = [:]
        for event in profile.events where event.type == "track" {
            guard let name = event.name else { continue }
            sums[name, default: 0] &+= FNV1a.hash("\(event.sourceID.lowercased)/\(event.messageId)")
        }
        events = sums.mapValues(Self.short)
    }

    private static func short(_ hash: UInt64) -> String {
        String(UInt32(truncatingIfNeeded: hash ^ (hash >> 32)), radix: 16)
    }

    /// As stored in `segment_profiles.inputs`.
    var json: JSONValue {
        var json: [String: JSONValue] = ["traits": .object(traits.mapValues(JSONValue.string)), "events": .object(events.mapValues(JSONValue.string))]
        if let consentFacts { json["consentFacts"] = .object(["count": .number(Double(consentFacts.count)), "hash": .string(consentFacts.hash)]) }
        return .object(json)
    }

    init(json: JSONValue) {
        traits = (json["traits"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        events = (json["events"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        if let count = json["consentFacts"]?["count"]?.numberValue, let hash = json["consentFacts"]?["hash"]?.stringValue {
            consentFacts = ConsentFactsPrint(count: Int(count), hash: hash)
        }
    }
}

/// What the last evaluation of a profile left in `segment_profiles`.
struct PreviousEvaluation: Sendable {
    let computed: [String: JSONValue]
    let consent: [String: Bool]
    let inputs: InputFingerprints
    let nextCheck: Date?
    let evaluatedAt: Date

    static func load(_ profiles: [UUID], in workspaceID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> [UUID: PreviousEvaluation] {
        guard !profiles.isEmpty else { return [:] }
        var previous: [UUID: PreviousEvaluation] = [:]
        for try await (id, computed, consent, inputs, nextCheck, evaluatedAt) in try await connection.query(
            """
            SELECT profile_id, computed::text, consent::text, inputs::text, next_check, evaluated_at FROM segment_profiles
            WHERE workspace_id = \(workspaceID) AND profile_id = ANY(\(profiles)::uuid[])
            """,
            logger: logger
        ).decode((UUID, String, String, String, Date?, Date).self) {
            previous[id] = PreviousEvaluation(
                computed: try JSONValue.parse(computed).objectValue ?? [:],
                consent: (try JSONValue.parse(consent).objectValue ?? [:]).compactMapValues(\.boolValue),
                inputs: InputFingerprints(json: try JSONValue.parse(inputs)), nextCheck: nextCheck, evaluatedAt: evaluatedAt
            )
        }
        return previous
    }

    /// What differs between this evaluation's inputs and results and those found now.
    func changes(computed: [String: JSONValue], consent: [String: Bool], inputs: InputFingerprints, now: Date) -> ProfileChanges {
        ProfileChanges(
            traits: Self.differing(self.inputs.traits, inputs.traits),
            computed: Self.differing(self.computed, computed),
            consent: Self.differing(self.consent, consent),
            events: Self.differing(self.inputs.events, inputs.events),
            cameDue: nextCheck.map { $0 <= now } ?? false
        )
    }

    private static func differing<Value: Equatable>(_ old: [String: Value], _ new: [String: Value]) -> Set<String> {
        Set(old.keys).union(new.keys).filter { old[$0] != new[$0] }
    }
}
