import ArgumentParser
import Foundation
import Shared

/// `kinship profiles`: see a profile and fix one, through the identity service's internal API.
struct ProfilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "Show a profile (by id or identifier) and unmerge one.",
        discussion: "Reads KINSHIP_INTERNAL_TOKEN, and KINSHIP_IDENTITY_URL when --identity-url is not given.",
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

        func validate() throws {
            let given = [id, email, phone, userId, anonymousId, identifier].compactMap { $0 }
            guard given.count == 1 else { throw ValidationError("give exactly one of --id, --email, --phone, --user-id, --anonymous-id, --identifier") }
        }

        func run() async throws {
            let profile: String
            if let id {
                profile = id
            } else {
                let (type, value) = try lookup()
                let resolved = try await access.call(.get, "/internal/v1/resolve", query: ["type": type, "value": value])
                profile = resolved["profileId"]?.stringValue ?? ""
            }
            let view = try await access.call(.get, "/internal/v1/profiles/\(profile)", query: pii ? ["pii": "true"] : [:])
            print(json ? view.serialized() : ProfileText(view).rendered)
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
            var body: [String: JSONValue] = ["requestedBy": .string(requestedBy)]
            if let identifier {
                let (type, value) = try Self.pair(identifier)
                body["identifier"] = .object(["type": .string(type), "value": .string(value)])
            } else if let event {
                body["messageId"] = .string(event)
            }
            let outcome = try await access.call(.post, "/internal/v1/profiles/\(profile)/unmerge", body: Data(JSONValue.object(body).serialized().utf8))
            let parts = outcome["parts"]?.arrayValue ?? []
            print("removed \(outcome["removedEdges"]?.cell ?? "0") joins; the profile is now \(parts.count) profile\(parts.count == 1 ? "" : "s")")
            print(Table(
                header: ["PROFILE", "NEW", "IDENTIFIERS", "EVENTS"],
                rows: parts.map { [$0["profileId"]?.cell ?? "", $0["created"] == .bool(true) ? "yes" : "no", $0["identifiers"]?.cell ?? "", $0["events"]?.cell ?? ""] }
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
    let view: JSONValue

    init(_ view: JSONValue) { self.view = view }

    var rendered: String {
        var lines = ["profile \(view["profileId"]?.cell ?? "?")"]
        if let requested = view["requestedProfileId"]?.stringValue { lines.append("(asked for \(requested), which was merged into it)") }
        lines.append("created \(view["createdAt"]?.cell ?? "?")\(view["flaggedLarge"] == .bool(true) ? "  FLAGGED: unusually large" : "")")
        lines += ["", "IDENTIFIERS", Table(
            header: ["TYPE", "VALUE", "FIRST_SEEN", "LAST_SEEN"],
            rows: (view["identifiers"]?.arrayValue ?? []).map { [$0["type"]?.cell ?? "", $0["value"]?.cell ?? "", $0["firstSeenAt"]?.cell ?? "", $0["lastSeenAt"]?.cell ?? ""] }
        ).rendered]
        let traits = (view["traits"]?.objectValue ?? [:]).sorted { $0.key < $1.key }
        lines += ["", "TRAITS", Table(
            header: ["KEY", "VALUE", "AT", "SOURCE"],
            rows: traits.map { [$0.key, $0.value["value"]?.cell ?? "", $0.value["at"]?.cell ?? "", $0.value["source"]?.cell ?? ""] }
        ).rendered]
        let merges = view["merges"]?.arrayValue ?? []
        if !merges.isEmpty {
            lines += ["", "MERGED IN", Table(
                header: ["FROM_PROFILE", "BY_EVENT", "RULE_VERSION", "AT"],
                rows: merges.map { [$0["fromProfileId"]?.cell ?? "", $0["messageId"]?.cell ?? "", $0["ruleVersion"]?.cell ?? "", $0["mergedAt"]?.cell ?? ""] }
            ).rendered]
        }
        let splits = view["splits"]?.arrayValue ?? []
        if !splits.isEmpty {
            lines += ["", "SPLITS", Table(
                header: ["FROM_PROFILE", "NEW_PROFILES", "REASON", "BY", "AT"],
                rows: splits.map {
                    [$0["profileId"]?.cell ?? "", ($0["newProfileIds"]?.arrayValue ?? []).map(\.cell).joined(separator: ","),
                     $0["reason"]?.cell ?? "", $0["requestedBy"]?.cell ?? "", $0["splitAt"]?.cell ?? ""]
                }
            ).rendered]
        }
        return lines.joined(separator: "\n")
    }
}
