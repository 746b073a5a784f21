import Foundation
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import Logging
import PostgresNIO

/// Everything held about one person, for an `export` request: the 360 view in clear (identity's and
/// segmentation's answers), every event whole with its sealed values opened, and a summary to read.
struct PersonExport: Sendable {
    let profiles: ProfileReader
    let database: PostgresClient
    let workspaceKeys: WorkspaceKeyCache

    func document(for request: PublicPrivacyRequest, profile id: UUID, key: APIKey, logger: Logger) async throws -> PersonExportDocument {
        let view = try await profiles.view(of: id, for: key, lastEvents: 0, logger: logger)
        let events = try await self.events(of: view.profile.profileId, in: key.workspaceID, logger: logger)
        let profile = PublicProfile(
            profile: view.profile, computed: view.computed, consent: view.consent, consentHistory: view.consentHistory,
            segments: view.segments, lastEvents: []
        )
        return PersonExportDocument(
            request: request, exportedAt: Date(), profile: profile, events: events, summary: Self.summary(of: profile, events: events)
        )
    }

    /// Every event attached to the profile, oldest first, opened.
    private func events(of profileID: String, in workspaceID: UUID, logger: Logger) async throws -> [ExportedEvent] {
        guard let profile = UUID(uuidString: profileID) else { return [] }
        let keys = try await workspaceKeys.keys(for: workspaceID)
        let opener = SealedFields(key: keys.dataKey, workspaceID: workspaceID)
        return try await database.withConnection { connection in
            var events: [ExportedEvent] = []
            for try await (messageID, received, text) in try await connection.query(
                """
                SELECT ep.message_id, ep.received_at, e.message::text
                FROM event_profiles ep
                JOIN events e ON e.workspace_id = ep.workspace_id AND e.received_at = ep.received_at AND e.message_id = ep.message_id
                WHERE ep.workspace_id = \(workspaceID) AND ep.profile_id = \(profile)
                ORDER BY ep.event_time, ep.received_at, ep.message_id
                """,
                logger: logger
            ).decode((String, Date, String).self) {
                let stored = try JSONValue.parse(text).objectValue ?? [:]
                events.append(ExportedEvent(messageId: messageID, receivedAt: received, message: .object(try opener.openMessage(stored))))
            }
            return events
        }
    }

    /// What the document holds, in sentences.
    static func summary(of profile: PublicProfile, events: [ExportedEvent]) -> [String] {
        let view = profile.profile
        var lines = [
            "Profile \(view.profileId), first seen \(Timestamp.format(view.createdAt)).",
            "Identifiers (\(view.identifiers.count)): " + view.identifiers.map { "\($0.type) \($0.value)" }.joined(separator: ", ") + ".",
            "Traits (\(view.traits.count)): " + view.traits.keys.sorted().joined(separator: ", ") + ".",
            "Computed traits: \(profile.computed.count).",
        ]
        let consent = profile.consent.keys.sorted().map { "\($0) \(profile.consent[$0]! ? "granted" : "refused")" }
        lines.append("Consent in force: " + (consent.isEmpty ? "none stated" : consent.joined(separator: ", ")) + " (\(profile.consentHistory.count) statements kept).")
        let current = profile.segments.filter { $0.exitedAt == nil }.map(\.segmentName)
        lines.append("Segments now: " + (current.isEmpty ? "none" : current.joined(separator: ", ")) + " (\(profile.segments.count) memberships in all).")
        lines.append("Merges: \(view.merges.count); splits: \(view.splits.count).")
        if let first = events.first, let last = events.last {
            lines.append("Events: \(events.count), received from \(Timestamp.format(first.receivedAt)) to \(Timestamp.format(last.receivedAt)).")
        } else {
            lines.append("Events: none.")
        }
        return lines
    }
}
