import ArgumentParser
import Foundation
import KinshipCore
import KinshipDatabase
import KinshipInternalClient
import KinshipOutbox
import KinshipPrivacy

/// `kinship profiles`: see a profile and fix one, through the identity service's internal API.
struct ProfilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "Show a profile (by id or identifier) and unmerge one.",
        discussion: """
            Reads KINSHIP_INTERNAL_TOKEN, KINSHIP_IDENTITY_URL when --identity-url is not given, and KINSHIP_DATABASE_URL to look \
            the workspace up (needed for a name; an id is sent as given without it).
            """,
        subcommands: [Show.self, Unmerge.self]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A profile's identifiers, traits (with source and time), merges and splits.",
            discussion: "Give one of --id, --email, --phone, --user-id, --anonymous-id or --identifier TYPE=VALUE."
        )

        @OptionGroup var access: IdentityAccess

        @Option(help: "The profile id (a merged-away id shows the profile it went into).")
        var id: String?
        @Option var email: String?
        @Option var phone: String?
        @Option var userId: String?
        @Option var anonymousId: String?
        @Option(help: "Any identifier type, as TYPE=VALUE (external ids: shopify_customer=123).")
        var identifier: String?

        @Flag(help: "Show identifier and PII trait values in clear (otherwise masked).")
        var pii = false

        @Flag(help: "Print the identity service's JSON as it is.")
        var json = false

        @Option(help: "The segmentation service's base URL, for computed traits, consent and segments (default: KINSHIP_SEGMENTATION_URL, else http://127.0.0.1:8082).")
        var segmentationURL: String?

        func validate() throws {
            let given = [id, email, phone, userId, anonymousId, identifier].compactMap { $0 }
            guard given.count == 1 else { throw ValidationError("give exactly one of --id, --email, --phone, --user-id, --anonymous-id, --identifier") }
        }

        func run() async throws {
            let identity = try await access.connect()
            let profile: String
            if let id {
                profile = id
            } else {
                let (type, value) = try lookup()
                profile = try await identity.call(
                    .get, "/internal/v1/resolve", query: ["type": type, "value": value], as: ResolvedProfile.self
                ).profileId
            }
            let path = "/internal/v1/profiles/\(profile)"
            let query = pii ? ["pii": "true"] : [:]
            if pii {
                // A read of personal values in clear is audited: it needs the database, to write that down.
                guard KinshipCore.Environment().optional("KINSHIP_DATABASE_URL") != nil else {
                    throw ValidationError("--pii is written to the audit log: set KINSHIP_DATABASE_URL")
                }
                let actor = "cli (\(ProcessInfo.processInfo.environment["USER"] ?? "unknown user"))"
                try await AdminContext.withDatabase { [workspaceID = identity.workspaceID] database in
                    try await AuditLog(database: database, logger: AdminContext.logger).record(
                        AuditLog.personalDataRead, target: profile, by: actor, in: workspaceID, details: .object(["read": .string("profile")])
                    )
                }
            }
            if json {
                print(String(decoding: try await identity.send(.get, path, query: query), as: UTF8.self))
            } else {
                let view = try await identity.call(.get, path, query: query, as: ProfileView.self)
                print(ProfileText(view).rendered)
                print(await segmentsText(of: view.profileId, workspaceID: identity.workspaceID, token: identity.token))
            }
        }

        /// What segmentation knows of the profile, or why it could not be asked.
        private func segmentsText(of profile: String, workspaceID: UUID, token: String) async -> String {
            let segmentation = InternalConnection(
                service: "segmentation", baseURL: SegmentationAccess.url(segmentationURL), token: token, workspaceID: workspaceID
            )
            do {
                return ProfileSegmentsText(try await segmentation.call(
                    .get, "/internal/v1/profiles/\(profile)/segments", as: ProfileSegmentsView.self
                )).rendered
            } catch {
                return "\nSEGMENTS\nnot available: \(error)"
            }
        }

        private func lookup() throws -> (String, String) {
            if let email { return ("email", email) }
            if let phone { return ("phone", phone) }
            if let userId { return ("user_id", userId) }
            if let anonymousId { return ("anonymous_id", anonymousId) }
            return try Unmerge.pair(identifier ?? "")
        }
    }

    struct Unmerge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take an identifier (or the joins of one event) out of a profile; the profile splits where its graph does.",
            discussion: """
                The part holding the strongest identifier keeps the profile id; every other part becomes a new profile, \
                with the events that belong to it and traits replayed from them. Removed joins stay in the history.
                  kinship profiles unmerge PROFILE --workspace W --identifier anonymous_id=shared-tablet
                  kinship profiles unmerge PROFILE --workspace W --event MESSAGE_ID
                """
        )

        @OptionGroup var access: IdentityAccess

        @Argument(help: "The profile id.")
        var profile: String

        @Option(help: "The identifier to take out, as TYPE=VALUE.")
        var identifier: String?

        @Option(help: "The message id of the event whose joins to remove.")
        var event: String?

        @Option(help: "Who asks (recorded with the split).")
        var requestedBy = ProcessInfo.processInfo.environment["USER"].map { "cli:\($0)" } ?? "cli"

        func validate() throws {
            guard (identifier == nil) != (event == nil) else { throw ValidationError("give --identifier or --event, not both and not neither") }
            if let identifier { _ = try Self.pair(identifier) }
        }

        func run() async throws {
            let request = UnmergeRequest(
                identifier: try identifier.map { try Self.pair($0) }.map { UnmergeRequest.Identifier(type: $0.0, value: $0.1) },
                messageId: event,
                requestedBy: requestedBy
            )
            let outcome = try await access.connect().call(
                .post, "/internal/v1/profiles/\(profile)/unmerge", body: try JSONCoding.encoder().encode(request), as: UnmergeOutcome.self
            )
            let parts = outcome.parts
            print("removed \(outcome.removedEdges) joins; the profile is now \(parts.count) profile\(parts.count == 1 ? "" : "s")")
            print(TextTable(
                header: ["PROFILE", "NEW", "IDENTIFIERS", "EVENTS"],
                rows: parts.map { [$0.profileId, $0.created ? "yes" : "no", String($0.identifiers), String($0.events)] }
            ).rendered)
        }

        static func pair(_ text: String) throws -> (String, String) {
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                throw ValidationError("an identifier is TYPE=VALUE, e.g. email=somchai@example.com")
            }
            return (String(text[..<equals]), String(text[text.index(after: equals)...]))
        }
    }
}

/// A profile view as text for a terminal.
struct ProfileText {
    let view: ProfileView

    init(_ view: ProfileView) { self.view = view }

    var rendered: String {
        func time(_ date: Date) -> String { Timestamp.format(date) }
        var lines = ["profile \(view.profileId)"]
        if let requested = view.requestedProfileId { lines.append("(asked for \(requested), which was merged into it)") }
        lines.append("created \(time(view.createdAt))\(view.flaggedLarge ? "  FLAGGED: unusually large" : "")")
        lines += ["", "IDENTIFIERS", TextTable(
            header: ["TYPE", "VALUE", "FIRST_SEEN", "LAST_SEEN"],
            rows: view.identifiers.map { [$0.type, $0.value, time($0.firstSeenAt), time($0.lastSeenAt)] }
        ).rendered]
        lines += ["", "TRAITS", TextTable(
            header: ["KEY", "VALUE", "AT", "SOURCE"],
            rows: view.traits.sorted { $0.key < $1.key }.map { [$0.key, $0.value.value.cell, $0.value.at, $0.value.sourceName ?? $0.value.source] }
        ).rendered]
        if !view.merges.isEmpty {
            lines += ["", "MERGED IN", TextTable(
                header: ["FROM_PROFILE", "BY_EVENT", "RULE_VERSION", "AT"],
                rows: view.merges.map { [$0.fromProfileId, $0.messageId, String($0.ruleVersion), time($0.mergedAt)] }
            ).rendered]
        }
        if !view.splits.isEmpty {
            lines += ["", "SPLITS", TextTable(
                header: ["FROM_PROFILE", "NEW_PROFILES", "REASON", "BY", "AT"],
                rows: view.splits.map {
                    [$0.profileId, $0.newProfileIds.joined(separator: ","), $0.reason, $0.requestedBy, time($0.splitAt)]
                }
            ).rendered]
        }
        return lines.joined(separator: "\n")
    }
}

/// Computed traits, consent and segments of a profile as text for a terminal.
struct ProfileSegmentsText {
    let view: ProfileSegmentsView

    init(_ view: ProfileSegmentsView) { self.view = view }

    var rendered: String {
        var lines = ["", "COMPUTED TRAITS" + (view.evaluatedAt.map { " (as of \(Timestamp.format($0)))" } ?? " (not evaluated yet)"), TextTable(
            header: ["TRAIT", "VALUE"], rows: view.computed.sorted { $0.key < $1.key }.map { [$0.key, $0.value.cell] }
        ).rendered]
        lines += ["", "CONSENT", TextTable(
            header: ["CATEGORY", "GRANTED", "SINCE", "ORIGIN"],
            rows: view.consent.keys.sorted().map { category in
                let latest = view.consentHistory.first { $0.category == category }
                return [category, view.consent[category]! ? "yes" : "no", latest.map { Timestamp.format($0.statedAt) } ?? "-", latest?.origin ?? "-"]
            }
        ).rendered]
        lines += ["", "SEGMENTS", TextTable(
            header: ["SEGMENT", "VERSION", "ENTERED", "EXITED"],
            rows: view.memberships.map { [$0.segmentName, String($0.segmentVersion), Timestamp.format($0.enteredAt), $0.exitedAt.map(Timestamp.format) ?? "member"] }
        ).rendered]
        return lines.joined(separator: "\n")
    }
}
