import Foundation
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import Logging
import PostgresNIO

/// What segmentation reads about one live profile: its traits as identity stores them, its birthday
/// opened (for age), and every event identity attached to it.
struct ProfileFacts: Sendable {
    /// One stored event of the profile, with its sealed values opened.
    struct Event: Sendable {
        let messageId: String
        let sourceID: UUID
        let type: String
        let name: String?
        let time: Date
        let message: [String: JSONValue]
    }

    let profileID: UUID
    /// Each trait's value as stored: personal values stay sealed (segments cannot compare them, and the
    /// SQL evaluator reads the same stored values).
    var traits: [String: JSONValue] = [:]
    var birthday: JSONValue?
    /// The RFM scores the scheduled scoring gave the profile (`RFMScoring`): computed traits not made from
    /// its events alone.
    var rfm: [String: JSONValue] = [:]
    var events: [Event] = []

    /// The facts of `profiles` (live ones; ids without a profile row are left out).
    static func load(
        _ profiles: [UUID], workspaceID: UUID, keys: WorkspaceKeys, keyring: MasterKeyring, on connection: PostgresConnection, logger: Logger
    ) async throws -> [UUID: ProfileFacts] {
        guard !profiles.isEmpty else { return [:] }
        var facts: [UUID: ProfileFacts] = [:]
        for try await (id, wrapped, text, rfmText) in try await connection.query(
            """
            SELECT p.id, p.data_key, p.traits::text,
                   (SELECT jsonb_object_agg(key, value) FROM jsonb_each(sp.computed) WHERE key LIKE 'rfm\\_%')::text
            FROM profiles p
            LEFT JOIN segment_profiles sp ON sp.workspace_id = p.workspace_id AND sp.profile_id = p.id
            WHERE p.workspace_id = \(workspaceID) AND p.id = ANY(\(profiles)::uuid[]) AND p.merged_into IS NULL
            """,
            logger: logger
        ).decode((UUID, Data, String, String?).self) {
            let stored = try JSONValue.parse(text)
            var profile = ProfileFacts(profileID: id)
            profile.rfm = try rfmText.map { try JSONValue.parse($0).objectValue ?? [:] } ?? [:]
            for (name, entry) in stored.objectValue ?? [:] {
                guard let value = entry["value"], value != .null else { continue }
                profile.traits[name] = value
            }
            if stored["birthday"] != nil {
                let opened = try ProfileTraits.open(
                    .object(["birthday": stored["birthday"]!]), key: try keyring.unwrap(wrapped), workspaceID: workspaceID, profileID: id
                )
                profile.birthday = opened.current["birthday"]
            }
            facts[id] = profile
        }
        let opener = SealedFields(key: keys.dataKey, workspaceID: workspaceID)
        for try await (profile, messageId, sourceID, type, name, time, text) in try await connection.query(
            ProfileEventsQuery.query(Array(facts.keys), in: workspaceID), logger: logger
        ).decode(ProfileEventsQuery.Row.self) {
            let message = try opener.openMessage(try JSONValue.parse(text).objectValue ?? [:])
            facts[profile]?.events.append(Event(messageId: messageId, sourceID: sourceID, type: type, name: name, time: time, message: message))
        }
        return facts
    }

    /// The events as the computed traits read them (identify, track, page and screen).
    var activity: [ActivityEvent] {
        events.compactMap { event in
            guard let kind = ActivityEvent.Kind(rawValue: event.type) else { return nil }
            return ActivityEvent(
                messageId: event.messageId, type: kind, event: event.name, timestamp: event.time,
                anonymousId: event.message["anonymousId"]?.stringValue, properties: event.message["properties"] ?? .object([:]),
                context: event.message["context"]
            )
        }
    }

    /// The track events as segment conditions read them, in the order `first` and `last` break ties by:
    /// time, then arrival, then message id.
    var segmentEvents: [SegmentSubject.Event] {
        events.compactMap { event in
            guard event.type == "track", let name = event.name else { return nil }
            return SegmentSubject.Event(name: name, time: event.time, properties: event.message["properties"] ?? .object([:]))
        }
    }
}
