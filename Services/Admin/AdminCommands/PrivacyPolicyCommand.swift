import ArgumentParser
import Foundation
import KinshipCore
import KinshipPrivacy
import NIOHTTP1

/// `kinship privacy policy`: the workspace's consent categories, the category of each kind of message, and
/// the key names it classifies beyond the defaults, over `/v1/privacy/policy` (docs/privacy.md).
struct PrivacyPolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Show or replace the workspace's privacy policy (consent categories, event → category, classification).",
        discussion: """
            A policy file is JSON; keys left out take their defaults, e.g. \
            {"eventCategories": {"Coupon Sent": "marketing"}, "classification": {"sensitive": ["blood_type"]}}.
            """,
        subcommands: [Show.self, Replace.self]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The policy in force and its version (0: the defaults).")
        @OptionGroup var api: PublicAPIAccess

        func run() async throws {
            print(String(decoding: try await api.get("/v1/privacy/policy").body, as: UTF8.self))
        }
    }

    struct Replace: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Make the policy in a file the workspace's: in force at ingestion within seconds, for events from then on."
        )
        @OptionGroup var api: PublicAPIAccess

        @Argument(help: "The policy, a JSON file (- for standard input).")
        var file: String

        func run() async throws {
            let body = try IdentityAccess.read(file)
            let saved = try JSONCoding.decode(VersionedPrivacyPolicy.self, from: try await api.send(.PUT, "/v1/privacy/policy", body: body).body)
            AdminContext.note("privacy policy version \(saved.version) in force")
            print(String(decoding: try JSONCoding.encoder().encode(saved), as: UTF8.self))
        }
    }
}
