import Foundation
import KinshipCore
import KinshipTestSupport
import Logging
import PostgresNIO
import SegmentationService

/// One profile as the tables hold it, and as the in-memory evaluator sees it (`subject`).
struct StoredProfile: Sendable {
    struct Event: Sendable {
        var type = "track"
        var name: String
        var time: Date
        var properties: JSONValue = .object([:])
    }

    var id = UUID()
    /// Trait values as identity stores them (each under `value`); a JSON null is a missing trait.
    var traits: [String: JSONValue] = [:]
    var computed: [String: JSONValue] = [:]
    /// Consent as `segment_profiles.consent` holds it (booleans, or anything a bad row might hold).
    var consent: [String: JSONValue] = [:]
    var events: [Event] = []
    var mergedAway = false
}

/// A workspace of stored profiles in the test database, to run compiled definitions against.
struct SegmentSQLFixture: Sendable {
    let client: PostgresClient
    let workspace = UUID()
    /// The profiles as stored, with each event's `received_at` and message id, in the order `first` and `last` break ties.
    private(set) var subjects: [UUID: SegmentSubject] = [:]
    private(set) var live: Set<UUID> = []

    static let logger = TestDatabase.logger

    init(client: PostgresClient, profiles: [StoredProfile]) async throws {
        self.client = client
        let name = "seg-" + workspace.uuidString.prefix(8).lowercased()
        try await client.query(
            "INSERT INTO workspaces (id, name, data_key, index_key) VALUES (\(workspace), \(name), '\\x00', '\\x00')", logger: Self.logger
        )
        let received = Date()
        var sequence = 0
        for profile in profiles {
            let storedTraits = JSONValue.object(profile.traits.mapValues {
                .object(["value": $0, "at": .string("2026-01-01T00:00:00.000Z"), "source": .string("test")])
            })
            let mergedInto: UUID? = profile.mergedAway ? UUID() : nil
            try await client.query("""
                INSERT INTO profiles (workspace_id, id, data_key, merged_into, traits) \
                VALUES (\(workspace), \(profile.id), '\\x00', \(mergedInto), \(storedTraits.serialized())::jsonb)
                """, logger: Self.logger)
            try await client.query("""
                INSERT INTO segment_profiles (workspace_id, profile_id, computed, consent) \
                VALUES (\(workspace), \(profile.id), \(JSONValue.object(profile.computed).serialized())::jsonb, \
                \(JSONValue.object(profile.consent).serialized())::jsonb)
                """, logger: Self.logger)
            var events: [(time: Date, received: Date, messageID: String, event: SegmentSubject.Event)] = []
            for event in profile.events {
                sequence += 1
                // Every few events share a received_at, so ties fall to the message id.
                let receivedAt = received.addingTimeInterval(Double(sequence / 3) / 1000)
                let messageID = "m\(100_000 - sequence)-\(profile.id.uuidString)"
                let message = JSONValue.object([
                    "type": .string(event.type), "event": .string(event.name), "properties": event.properties,
                ])
                try await client.query("""
                    INSERT INTO events (workspace_id, received_at, message_id, source_id, type, event, event_time, message) \
                    VALUES (\(workspace), \(receivedAt), \(messageID), \(UUID()), \(event.type), \(event.name), \(event.time), \
                    \(message.serialized())::jsonb)
                    """, logger: Self.logger)
                try await client.query("""
                    INSERT INTO event_profiles (workspace_id, received_at, message_id, profile_id, event_time, track_event) \
                    VALUES (\(workspace), \(receivedAt), \(messageID), \(profile.id), \(event.time), \(event.type == "track" ? event.name : nil))
                    """, logger: Self.logger)
                if event.type == "track" {
                    events.append((event.time, receivedAt, messageID, SegmentSubject.Event(name: event.name, time: event.time, properties: event.properties)))
                }
            }
            events.sort {
                ($0.time, $0.received) != ($1.time, $1.received)
                    ? ($0.time, $0.received) < ($1.time, $1.received)
                    : $0.messageID.utf8.lexicographicallyPrecedes($1.messageID.utf8)
            }
            subjects[profile.id] = SegmentSubject(
                traits: profile.traits.filter { $0.value != .null },
                computed: profile.computed,
                consent: profile.consent.compactMapValues { if case .bool(let flag) = $0 { flag } else { nil } },
                events: events.map(\.event)
            )
            if !profile.mergedAway { live.insert(profile.id) }
        }
    }

    /// The ids the compiled query selects.
    func members(_ definition: SegmentDefinition, requiredConsent: String? = nil, now: Date) async throws -> Set<UUID> {
        let query = SegmentSQL.members(of: definition, workspaceID: workspace, requiredConsent: requiredConsent, now: now)
        let rows = try await client.query(query, logger: Self.logger)
        var ids: Set<UUID> = []
        for try await id in rows.decode(UUID.self) { ids.insert(id) }
        return ids
    }

    /// The live profiles the in-memory evaluator puts in the segment.
    func expected(_ definition: SegmentDefinition, requiredConsent: String? = nil, now: Date) -> Set<UUID> {
        live.filter { id in
            let subject = subjects[id]!
            if let requiredConsent, subject.consent[requiredConsent] == false { return false }
            return definition.evaluate(subject, now: now).matches
        }
    }
}
