import Foundation
import KinshipCore
import KinshipDatabase
import Logging
import PostgresNIO

/// Segments as the API's segment routes and the dashboard's segment pages read and change them: through
/// segmentation's internal API (which owns them) and, for members and history, from `memberships`. Every
/// call is scoped to the key's workspace; another workspace's segment is as unknown as one that never existed.
struct SegmentReader: Sendable {
    let segmentation: Upstream
    let identity: Upstream
    let database: PostgresClient

    /// The workspace's segments by name.
    func list(for key: APIKey) async throws -> [SegmentView] {
        try await segmentation.call(.get, "/internal/v1/segments", query: workspace(key), as: [SegmentView].self)
            .sorted { ($0.name, $0.id) < ($1.name, $1.id) }
    }

    func segment(_ id: UUID, for key: APIKey) async throws -> SegmentView {
        try await segmentation.call(.get, "/internal/v1/segments/\(id.lowercased)", query: workspace(key), as: SegmentView.self)
    }

    /// Creates a segment (`id` nil) or a new version of one.
    func save(_ draft: SegmentDraft, id: UUID?, for key: APIKey) async throws -> SegmentView {
        let body = try JSONCoding.encoder().encode(draft)
        if let id {
            return try await segmentation.call(.put, "/internal/v1/segments/\(id.lowercased)", query: workspace(key), body: body, as: SegmentView.self)
        }
        return try await segmentation.call(.post, "/internal/v1/segments", query: workspace(key), body: body, as: SegmentView.self)
    }

    func preview(_ request: SegmentPreviewRequest, for key: APIKey) async throws -> SegmentPreview {
        try await segmentation.call(
            .post, "/internal/v1/segments/preview", query: workspace(key), body: try JSONCoding.encoder().encode(request), as: SegmentPreview.self
        )
    }

    /// Per day, entries, exits and size at the day's end.
    func history(of id: UUID, for key: APIKey, from: Date, to: Date, logger: Logger) async throws -> [SegmentDay] {
        try await history(of: try await segment(id, for: key), for: key, from: from, to: to, logger: logger)
    }

    /// The same for a segment segmentation already answered for this key (so it is the key's workspace's).
    func history(of segment: SegmentView, for key: APIKey, from: Date, to: Date, logger: Logger) async throws -> [SegmentDay] {
        guard let id = UUID(uuidString: segment.id) else { throw KinshipError.notFound("No such segment.") }
        return try await database.withConnection { connection in
            try await SegmentHistory.days(of: id, in: key.workspaceID, from: from, to: to, on: connection, logger: logger)
        }
    }

    func historyTable(_ days: [SegmentDay]) -> ReportTable {
        ReportTable(columns: ["day", "entered", "exited", "size"], rows: days.map { [$0.day, String($0.entered), String($0.exited), String($0.size)] })
    }

    func membersPage(of id: UUID, for key: APIKey, limit: Int, after cursor: UUID?, logger: Logger) async throws -> Page<SegmentMember> {
        try await membersPage(of: try await segment(id, for: key), for: key, limit: limit, after: cursor, logger: logger)
    }

    func membersPage(of segment: SegmentView, for key: APIKey, limit: Int, after cursor: UUID?, logger: Logger) async throws -> Page<SegmentMember> {
        guard let id = UUID(uuidString: segment.id) else { throw KinshipError.notFound("No such segment.") }
        return try await database.withConnection { connection in
            try await SegmentMembers.page(of: id, in: key.workspaceID, limit: limit, after: cursor, on: connection, logger: logger)
        }
    }

    /// The file of members (`format=csv`): every current member but those who refuse marketing or the
    /// segment's required category (`SegmentMembers.exportRefusals`).
    func membersTable(of id: UUID, for key: APIKey, logger: Logger) async throws -> ReportTable {
        SegmentMembers.table(try await exportableMembers(of: id, for: key, logger: logger))
    }

    /// The audience file ad platforms take (SHA-256 of e-mails and phones), of the same members as the file
    /// of members.
    func audienceTable(of id: UUID, for key: APIKey, logger: Logger) async throws -> ReportTable {
        let members = try await exportableMembers(of: id, for: key, logger: logger)
        return try await AudienceExport.table(of: members.map(\.profileId), in: key.workspaceID, identity: identity)
    }

    private func exportableMembers(of id: UUID, for key: APIKey, logger: Logger) async throws -> [SegmentMember] {
        let segment = try await segment(id, for: key)
        return try await database.withConnection { connection in
            try await SegmentMembers.exportable(
                of: id, in: key.workspaceID, leavingOutRefusalsOf: SegmentMembers.exportRefusals(of: segment), on: connection, logger: logger
            )
        }
    }

    private func workspace(_ key: APIKey) -> [String: String] { ["workspace": key.workspaceID.lowercased] }
}
