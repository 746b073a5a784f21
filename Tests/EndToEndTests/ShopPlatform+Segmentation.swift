import AsyncHTTPClient
import Foundation
import KinshipCore
import KinshipTestSupport
import NIOCore
import NIOHTTP1
import PostgresNIO
import Testing

extension ShopPlatform {
    var segmentationURL: String { "http://127.0.0.1:\(environment["KINSHIP_SEGMENTATION_PORT"]!)" }

    /// One call to segmentation's internal API about the shop's workspace; a reply that is not 2xx throws.
    func segmentation<Answer: Decodable>(_ method: HTTPMethod, _ path: String, body: Data? = nil, as answer: Answer.Type) async throws -> Answer {
        var request = HTTPClientRequest(url: segmentationURL + path + "?workspace=" + workspace.id.uuidString)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(environment["KINSHIP_INTERNAL_TOKEN"]!)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let reply = try await HTTPAnswer.send(request, timeout: .seconds(120))
        guard (200..<300).contains(reply.status) else { throw ShopPlatformError("\(method) \(path) answered \(reply.status): \(reply.body)") }
        return try JSONCoding.decode(Answer.self, from: Data(reply.body.utf8))
    }

    /// Creates a segment and returns its members' profile ids.
    func members(of name: String, definition: String, requiredConsent: String? = nil) async throws -> Set<String> {
        let draft = SegmentDraft(name: name, definition: try JSONValue.parse(definition), requiredConsent: requiredConsent)
        let segment = try await segmentation(.POST, "/internal/v1/segments", body: try JSONCoding.encoder().encode(draft), as: SegmentView.self)
        let ids = try await database.query(
            """
            SELECT profile_id::text FROM memberships WHERE workspace_id = \(workspace.id) AND segment_id = \(UUID(uuidString: segment.id)!)
              AND exited_at IS NULL
            """,
            logger: TestDatabase.logger
        ).decode(String.self).collectAll()
        #expect(ids.count == segment.size, Comment(rawValue: "\(name): \(segment.size) said, \(ids.count) stored"))
        return Set(ids)
    }
}
