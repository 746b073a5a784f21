import Foundation
import KinshipCore
import KinshipDatabase
import KinshipPrivacy
import Logging
import PostgresNIO

/// A person as the API's profile routes and the dashboard's people pages show them: the 360 view, the
/// search by identifier (through identity), and their events. Personal values come in clear for
/// a role that sees them and masked for the others.
struct ProfileReader: Sendable {
    let identity: Upstream
    let database: PostgresClient
    let workspaceKeys: WorkspaceKeyCache
    /// Where reads of personal values in clear are recorded (on the primary).
    let audit: AuditLog

    /// The identifier types a search tries, each normalised by identity as at ingestion.
    static let searchedTypes = ["email", "phone", "user_id", "anonymous_id"]

    /// The 360 view of the profile, or of the one it was merged into: read here, in one statement
    /// (`ProfileRecord`) and the events' page, rather than asked of identity and segmentation. It is the
    /// API's busiest read, and two internal calls cost more than the reads themselves.
    func view(of id: UUID, for key: APIKey, lastEvents: Int = 20, logger: Logger) async throws -> PublicProfile {
        let opener = try await self.opener(for: key)
        let (record, events) = try await database.withConnection { connection in
            guard let record = try await ProfileRecord.read(id, in: key.workspaceID, parts: .all, on: connection, logger: logger) else {
                throw KinshipError.notFound("No such profile.")
            }
            let events = lastEvents == 0 ? [] : try await ProfileEvents.page(
                of: record.id, in: key.workspaceID, limit: lastEvents, after: nil, opener: opener, on: connection, logger: logger
            ).items
            return (record, events)
        }
        let profile = try record.view(keyring: workspaceKeys.keyring, revealPII: key.role.seesRawPII)
        try await recordClearRead(of: record.id, by: key, what: "profile")
        let segments = record.segments
        return PublicProfile(
            profile: profile, computed: segments?.computed ?? [:], consent: segments?.consent ?? [:],
            consentHistory: segments?.consentHistory ?? [], segments: segments?.memberships ?? [], lastEvents: events
        )
    }

    /// The profile holding the identifier `type` = `value`; not found when none does.
    func resolve(type: String, value: String, for key: APIKey) async throws -> UUID {
        // A control character (NUL above all) is in no identifier, and the internal call could not carry it.
        guard !(type + value).unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw KinshipError.badRequest(.invalidParameter, "An identifier holds no control characters.")
        }
        let resolved = try await identity.call(
            .get, "/internal/v1/resolve", query: ["workspace": key.workspaceID.lowercased, "type": type, "value": value], as: ResolvedProfile.self
        )
        guard let id = UUID(uuidString: resolved.profileId) else { throw KinshipError.notFound("No profile holds this identifier.") }
        return id
    }

    /// The profiles holding `text` as an e-mail, phone, user id or anonymous id. Identifiers are kept
    /// sealed with a blind index, so only whole values are found, never parts of them.
    func search(_ text: String, for key: APIKey) async throws -> [ProfileMatch] {
        var matches: [ProfileMatch] = []
        for type in Self.searchedTypes {
            let found: UUID
            do {
                found = try await resolve(type: type, value: text, for: key)
            } catch let error as KinshipError where error.code == .notFound {
                continue
            }
            if !matches.contains(where: { $0.profileId == found.lowercased }) { matches.append(ProfileMatch(profileId: found.lowercased, matchedBy: type)) }
        }
        return matches
    }

    /// A page of the profile's events, newest first.
    func events(of id: UUID, for key: APIKey, limit: Int, after cursor: ProfileEvents.Cursor?, logger: Logger) async throws -> Page<PublicEvent> {
        let opener = try await self.opener(for: key)
        let (live, page) = try await database.withConnection { connection in
            guard let live = try await LiveProfile.follow(id, in: key.workspaceID, on: connection, logger: logger) else {
                throw KinshipError.notFound("No such profile.")
            }
            return (live, try await ProfileEvents.page(of: live, in: key.workspaceID, limit: limit, after: cursor, opener: opener, on: connection, logger: logger))
        }
        try await recordClearRead(of: live, by: key, what: "events")
        return page
    }

    /// A key that sees personal values in clear read them: the audit log says who, which profile, what.
    private func recordClearRead(of profile: UUID, by key: APIKey, what: String) async throws {
        guard key.role.seesRawPII else { return }
        try await audit.record(
            AuditLog.personalDataRead, target: profile.lowercased, by: "api key \(key.name) (\(key.id.lowercased))", in: key.workspaceID,
            details: .object(["read": .string(what)])
        )
    }

    /// Removes every join the identifier made to the profile, which splits where its graph falls apart.
    func unmerge(_ id: UUID, type: String, value: String, requestedBy: String, for key: APIKey) async throws -> UnmergeOutcome {
        let body = try JSONCoding.encoder().encode(UnmergeRequest(identifier: .init(type: type, value: value), requestedBy: requestedBy))
        return try await identity.call(
            .post, "/internal/v1/profiles/\(id.lowercased)/unmerge", query: ["workspace": key.workspaceID.lowercased], body: body,
            as: UnmergeOutcome.self
        )
    }

    /// Opens sealed values for a role that sees clear PII; nil (mask them) for the others.
    private func opener(for key: APIKey) async throws -> SealedFields? {
        guard key.role.seesRawPII else { return nil }
        let keys = try await workspaceKeys.keys(for: key.workspaceID)
        return SealedFields(key: keys.dataKey, workspaceID: key.workspaceID)
    }
}
