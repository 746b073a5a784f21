import Foundation
import KinshipCore
import KinshipPrivacy
import Logging
import PostgresNIO

/// What is stored about one live profile for its views (identity's and segmentation's internal ones, the
/// API's 360 view and the dashboard's person page), read in one statement: the profile, its identifiers
/// (sealed), its traits (as stored), its sources' names, merges and splits, and what segmentation keeps of
/// it (computed traits, consent and its changes, memberships).
///
/// One statement rather than one query per part: the 360 view is asked for at a few hundred a second, and
/// each query is a round trip that Postgres parses and plans. The parts come back as JSON arrays, times
/// as microseconds since 1970.
public struct ProfileRecord: Sendable {
    /// Which halves to read: identity's (identifiers, traits, merges, splits) and segmentation's.
    public struct Parts: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let identity = Parts(rawValue: 1)
        public static let segments = Parts(rawValue: 2)
        public static let all: Parts = [.identity, .segments]
    }

    public struct SealedIdentifier: Sendable {
        public let type: String
        public let sealed: Data
        public let firstSeenAt: Date
        public let lastSeenAt: Date
    }

    public let workspaceID: UUID
    /// The id asked for, and the live profile it stands for (itself, or the one it was merged into).
    public let requested: UUID
    public let id: UUID
    public let createdAt: Date
    public let flaggedLarge: Bool
    /// The profile's data key, wrapped by the master key.
    public let wrappedKey: Data
    /// `profiles.traits` as stored: personal values sealed.
    public let storedTraits: JSONValue
    /// Empty unless `.identity` was read.
    public let identifiers: [SealedIdentifier]
    public let sourceNames: [String: String]
    public let merges: [ProfileView.Merge]
    public let splits: [ProfileView.Split]
    /// Nil unless `.segments` was read; computed traits and consent are empty until segmentation evaluates the profile.
    public let segments: ProfileSegmentsView?

    /// Nil when the workspace has no profile `requested`.
    public static func read(
        _ requested: UUID, in workspaceID: UUID, parts: Parts, on connection: PostgresConnection, logger: Logger
    ) async throws -> ProfileRecord? {
        let rows = try await connection.rows(Statement(workspaceID: workspaceID, requested: requested, parts: parts), logger: logger)
        guard let (id, createdAt, large, wrappedKey, traitsText, identityText, segmentsText) = rows.first else { return nil }
        let identity = try identityText.map { try JSONValue.parse($0).arrayValue ?? [] }
        func part(_ index: Int) -> [JSONValue] { identity.flatMap { $0.count > index ? $0[index].arrayValue : nil } ?? [] }
        return ProfileRecord(
            workspaceID: workspaceID, requested: requested, id: id, createdAt: createdAt, flaggedLarge: large, wrappedKey: wrappedKey,
            storedTraits: try JSONValue.parse(traitsText),
            identifiers: try part(0).map { row in
                let fields = row.arrayValue ?? []
                guard fields.count == 4, let type = fields[0].stringValue, let sealed = fields[1].stringValue?.base64Decoded,
                      let first = Self.date(fields[2]), let last = Self.date(fields[3]) else { throw Self.malformed("identifier") }
                return SealedIdentifier(type: type, sealed: Data(sealed), firstSeenAt: first, lastSeenAt: last)
            },
            sourceNames: (identity.flatMap { $0.count > 1 ? $0[1].objectValue : nil } ?? [:]).compactMapValues(\.stringValue),
            merges: try part(2).map { row in
                let fields = row.arrayValue ?? []
                guard fields.count == 4, let from = fields[0].stringValue, let message = fields[1].stringValue,
                      let version = fields[2].numberValue, let at = Self.date(fields[3]) else { throw Self.malformed("merge") }
                return ProfileView.Merge(fromProfileId: from, messageId: message, ruleVersion: Int(version), mergedAt: at)
            },
            splits: try part(3).map { row in
                let fields = row.arrayValue ?? []
                guard fields.count == 5, let from = fields[0].stringValue, let parts = fields[1].arrayValue?.compactMap(\.stringValue),
                      let reason = fields[2].stringValue, let by = fields[3].stringValue, let at = Self.date(fields[4]) else { throw Self.malformed("split") }
                return ProfileView.Split(profileId: from, newProfileIds: parts, reason: reason, requestedBy: by, splitAt: at)
            },
            segments: try segmentsText.map { try Self.segments(of: id, parsing: $0) }
        )
    }

    /// The identity half as `ProfileView`: identifiers opened with the profile's key, and masked (with the
    /// personal traits) unless `revealPII`.
    public func view(keyring: MasterKeyring, revealPII: Bool) throws -> ProfileView {
        let key = try keyring.unwrap(wrappedKey)
        let identifiers = try identifiers.map { identifier in
            let value = try key.openString(identifier.sealed, context: IdentifierSealing.context(type: identifier.type, workspaceID: workspaceID))
            return ProfileView.Identifier(
                type: identifier.type, value: revealPII ? value : Masking.mask(value, type: identifier.type),
                firstSeenAt: identifier.firstSeenAt, lastSeenAt: identifier.lastSeenAt
            )
        }
        var traits = try ProfileTraits.open(storedTraits, key: key, workspaceID: workspaceID, profileID: id).values
        if !revealPII {
            // Masked when it was sealed where it is stored (the workspace's own classification may seal
            // more than the standard one) or when the standard classification would seal it. Only the
            // classification of the `SealedFields` is used here, not its key.
            let standard = SealedFields(key: key, workspaceID: workspaceID)
            for (name, entry) in traits where storedTraits[name]?["value"]?[SealedFields.marker] != nil || standard.sealsTrait(name, entry.value) {
                traits[name]?.value = entry.value.stringValue.map { .string(Masking.mask($0, type: name.lowercased())) } ?? .string("***")
            }
        }
        return ProfileView(
            profileId: id.lowercased, requestedProfileId: requested == id ? nil : requested.lowercased,
            createdAt: createdAt, flaggedLarge: flaggedLarge, identifiers: identifiers,
            traits: traits.mapValues {
                ProfileView.Trait(value: $0.value, at: $0.at, source: $0.source, sourceName: sourceNames[$0.source.lowercased()])
            },
            merges: merges, splits: splits
        )
    }

    private static func segments(of id: UUID, parsing text: String) throws -> ProfileSegmentsView {
        let parts = try JSONValue.parse(text).arrayValue ?? []
        guard parts.count == 3 else { throw malformed("segments") }
        let evaluation = parts[0].arrayValue ?? []
        return ProfileSegmentsView(
            profileId: id.lowercased,
            computed: evaluation.first?.objectValue ?? [:],
            consent: (evaluation.count > 1 ? evaluation[1].objectValue ?? [:] : [:]).compactMapValues(\.boolValue),
            consentHistory: try (parts[1].arrayValue ?? []).map { row in
                let fields = row.arrayValue ?? []
                guard fields.count == 5, let category = fields[0].stringValue, let granted = fields[1].boolValue, let origin = fields[2].stringValue,
                      let message = fields[3].stringValue, let at = date(fields[4]) else { throw malformed("consent") }
                return ProfileSegmentsView.Consent(category: category, granted: granted, origin: origin, messageId: message, statedAt: at)
            },
            memberships: try (parts[2].arrayValue ?? []).map { row in
                let fields = row.arrayValue ?? []
                guard fields.count == 5, let segment = fields[0].stringValue, let name = fields[1].stringValue,
                      let version = fields[2].numberValue, let entered = date(fields[3]) else { throw malformed("membership") }
                return ProfileSegmentsView.Membership(
                    segmentId: segment, segmentName: name, segmentVersion: Int(version), enteredAt: entered, exitedAt: date(fields[4])
                )
            },
            evaluatedAt: evaluation.count > 2 ? date(evaluation[2]) : nil
        )
    }

    /// Microseconds since 1970 (exact in a double for any date Postgres holds that people use).
    private static func date(_ value: JSONValue) -> Date? {
        value.numberValue.map { Date(timeIntervalSince1970: $0 / 1_000_000) }
    }

    private static func malformed(_ part: String) -> KinshipError {
        KinshipError(
            code: .internalError, status: .internalServerError,
            message: "A profile's \(part) came back from Postgres in a shape this release does not read."
        )
    }

    /// Prepared once per connection: planning this statement took longer than running it.
    struct Statement: PostgresPreparedStatement {
        static let sql = """
            SELECT p.id, p.created_at, coalesce((p.flags->>'large')::boolean, false), p.data_key, p.traits::text,
                CASE WHEN $3::boolean THEN json_build_array(
                    (SELECT coalesce(json_agg(json_build_array(
                            i.type, translate(encode(i.value_sealed, 'base64'), E'\\n', ''),
                            (extract(epoch FROM i.first_seen_at) * 1000000)::bigint, (extract(epoch FROM i.last_seen_at) * 1000000)::bigint
                        ) ORDER BY i.type, i.first_seen_at), '[]')
                     FROM identities i WHERE i.workspace_id = p.workspace_id AND i.profile_id = p.id),
                    (SELECT coalesce(json_object_agg(s.id, s.name), '{}') FROM sources s
                     WHERE s.workspace_id = p.workspace_id
                       AND s.id::text IN (SELECT t.value->>'source' FROM jsonb_each(CASE WHEN jsonb_typeof(p.traits) = 'object' THEN p.traits ELSE '{}' END) t)),
                    (SELECT coalesce(json_agg(json_build_array(
                            m.from_profile, m.message_id, m.rule_version, (extract(epoch FROM m.merged_at) * 1000000)::bigint
                        ) ORDER BY m.id), '[]')
                     FROM profile_merges m WHERE m.workspace_id = p.workspace_id AND m.into_profile = p.id),
                    (SELECT coalesce(json_agg(json_build_array(
                            x.profile_id, x.new_profiles, x.reason, x.requested_by, (extract(epoch FROM x.split_at) * 1000000)::bigint
                        ) ORDER BY x.id), '[]')
                     FROM profile_splits x WHERE x.workspace_id = p.workspace_id AND (x.profile_id = p.id OR p.id = ANY(x.new_profiles)))
                )::text END,
                CASE WHEN $4::boolean THEN json_build_array(
                    (SELECT json_build_array(sp.computed, sp.consent, (extract(epoch FROM sp.evaluated_at) * 1000000)::bigint)
                     FROM segment_profiles sp WHERE sp.workspace_id = p.workspace_id AND sp.profile_id = p.id),
                    -- Each category's first choice and every change since, newest first. A choice repeated
                    -- (kinship.js states consent on every event) is kept in consent_facts, not shown.
                    (SELECT coalesce(json_agg(json_build_array(
                            f.category, f.granted, f.origin, f.message_id, (extract(epoch FROM f.stated_at) * 1000000)::bigint
                        ) ORDER BY f.stated_at DESC, f.category), '[]')
                     FROM (
                        SELECT category, granted, origin, message_id, stated_at,
                            lag(granted) OVER (PARTITION BY category ORDER BY stated_at, message_id) AS before
                        FROM consent_facts WHERE workspace_id = p.workspace_id AND profile_id = p.id
                     ) AS f
                     WHERE f.before IS DISTINCT FROM f.granted),
                    (SELECT coalesce(json_agg(json_build_array(
                            m.segment_id, s.name, m.segment_version, (extract(epoch FROM m.entered_at) * 1000000)::bigint,
                            (extract(epoch FROM m.exited_at) * 1000000)::bigint
                        ) ORDER BY m.entered_at DESC, s.name), '[]')
                     FROM memberships m JOIN segments s ON s.workspace_id = m.workspace_id AND s.id = m.segment_id
                     WHERE m.workspace_id = p.workspace_id AND m.profile_id = p.id)
                )::text END
            FROM profiles p
            WHERE p.workspace_id = $1
              AND p.id = (SELECT coalesce(merged_into, id) FROM profiles WHERE workspace_id = $1 AND id = $2)
            """
        typealias Row = (UUID, Date, Bool, Data, String, String?, String?)

        let workspaceID: UUID
        let requested: UUID
        let parts: Parts

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 4)
            bindings.append(workspaceID)
            bindings.append(requested)
            bindings.append(parts.contains(.identity))
            bindings.append(parts.contains(.segments))
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }
}
