import Foundation
import KinshipCore

/// A segment's members as the file an ad platform's audience upload takes: one row per e-mail or phone
/// hash (`type` `email` or `phone`, `sha256` lower-case hex), from identity, which alone opens them.
enum AudienceExport {
    static func table(of profiles: [String], in workspaceID: UUID, identity: Upstream) async throws -> ReportTable {
        var rows: [[String]] = []
        var start = 0
        while start < profiles.count {
            let chunk = Array(profiles[start..<min(start + 1000, profiles.count)])
            start += chunk.count
            let body = try JSONCoding.encoder().encode(AudienceRequest(profileIds: chunk))
            let hashes = try await identity.call(
                .post, "/internal/v1/audience-hashes", query: ["workspace": workspaceID.lowercased], body: body, as: AudienceHashes.self
            )
            for profile in hashes.profiles {
                rows += profile.emails.map { ["email", $0] } + profile.phones.map { ["phone", $0] }
            }
        }
        return ReportTable(columns: ["type", "sha256"], rows: rows)
    }
}
